import { type Queryable, query } from '../db.js';
import type { ResolvedOptions } from '../options.js';

/** Marks an instance stopped (no longer live, at once); its row and outcomes stay until pruned. */
export async function stopInstance(opts: ResolvedOptions, db: Queryable, id: string): Promise<void> {
  await query(
    opts,
    db,
    `update ${opts.quotedSchema}.instances set stopped_at = now(), expires_at = now()
     where id = $1 and stopped_at is null`,
    [id],
  );
}
