import { type Queryable, query } from '../db.js';
import type { ResolvedOptions } from '../options.js';
import type { HistoryEntry } from '../types.js';

/** Versions of `key` without data, newest first, older than `beforeVersion` when given. */
export async function getHistory(
  opts: ResolvedOptions,
  db: Queryable,
  key: string,
  page: { beforeVersion: number | null; limit: number },
): Promise<HistoryEntry[]> {
  const { rows } = await query<HistoryEntry>(
    opts,
    db,
    `select key, version, op, hash, actor, message, changed_at as "changedAt"
     from ${opts.quotedSchema}.history
     where key = $1 and ($2::integer is null or version < $2)
     order by version desc
     limit $3`,
    [key, page.beforeVersion, page.limit],
  );
  return rows;
}
