import { type Queryable, query } from '../db.js';
import type { ResolvedOptions } from '../options.js';

export interface LockedDocument {
  version: number;
  hash: string;
  updatedAt: Date;
  updatedBy: string;
}

/** Locks the live row of `key` until the transaction ends, so writers of one key take turns. */
export async function lockDocument(
  opts: ResolvedOptions,
  db: Queryable,
  key: string,
): Promise<LockedDocument | undefined> {
  const { rows } = await query<LockedDocument>(
    opts,
    db,
    `select version, hash, updated_at as "updatedAt", updated_by as "updatedBy"
     from ${opts.quotedSchema}.documents where key = $1 for update`,
    [key],
  );
  return rows[0];
}
