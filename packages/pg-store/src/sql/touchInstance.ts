import { type Queryable, query } from '../db.js';
import type { ResolvedOptions } from '../options.js';

/** A heartbeat: live for another `ttlMs`. False when there is no such running instance (pruned, stopped). */
export async function touchInstance(
  opts: ResolvedOptions,
  db: Queryable,
  id: string,
  ttlMs: number,
): Promise<boolean> {
  const { rowCount } = await query(
    opts,
    db,
    `update ${opts.quotedSchema}.instances
     set heartbeat_at = now(), expires_at = now() + $2 * interval '1 millisecond'
     where id = $1 and stopped_at is null`,
    [id, ttlMs],
  );
  return rowCount === 1;
}
