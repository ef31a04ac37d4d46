import { type Queryable, query } from '../db.js';
import type { ResolvedOptions } from '../options.js';

/** Whether `key` was ever written (live or deleted). */
export async function hasHistory(opts: ResolvedOptions, db: Queryable, key: string): Promise<boolean> {
  const { rows } = await query<{ exists: boolean }>(
    opts,
    db,
    `select exists (select 1 from ${opts.quotedSchema}.history where key = $1) as exists`,
    [key],
  );
  return rows[0]!.exists;
}
