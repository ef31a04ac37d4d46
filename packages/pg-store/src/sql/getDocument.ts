import type { StoredDocument } from '@cfg/source';
import { type Queryable, query } from '../db.js';
import type { ResolvedOptions } from '../options.js';

/** The live document with its data, or `undefined`. */
export async function getDocument(
  opts: ResolvedOptions,
  db: Queryable,
  key: string,
): Promise<StoredDocument | undefined> {
  const { rows } = await query<StoredDocument>(
    opts,
    db,
    `select key, data, hash, version, updated_at as "updatedAt", updated_by as "updatedBy"
     from ${opts.quotedSchema}.documents where key = $1`,
    [key],
  );
  return rows[0];
}
