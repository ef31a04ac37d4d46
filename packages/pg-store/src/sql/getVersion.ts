import { type Queryable, query } from '../db.js';
import type { ResolvedOptions } from '../options.js';
import type { DocumentVersion } from '../types.js';

/** One version of `key` with its data, or `undefined`. */
export async function getVersion(
  opts: ResolvedOptions,
  db: Queryable,
  key: string,
  version: number,
): Promise<DocumentVersion | undefined> {
  const { rows } = await query<DocumentVersion>(
    opts,
    db,
    `select key, version, op, data, hash, actor, message, changed_at as "changedAt"
     from ${opts.quotedSchema}.history where key = $1 and version = $2`,
    [key, version],
  );
  return rows[0];
}
