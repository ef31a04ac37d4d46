import { type Queryable, query } from '../db.js';
import type { FleetInstance, FleetOutcome } from '../fleet-types.js';
import type { ResolvedOptions } from '../options.js';

/** An instance row as read; `fleet()` adds the lag and folds the `last*` columns into `lastOutcome`. */
export interface InstanceRead extends Omit<FleetInstance, 'lag' | 'lastOutcome'> {
  lastVersion: number | null;
  lastOutcome: FleetOutcome | null;
  lastErrorCode: string | null;
  lastAt: Date | null;
}

/**
 * The instances following `key`: the live ones (by id), then those that stopped or expired within
 * `goneWithinMs` (most recent first), at most `limit`.
 */
export async function getInstances(
  opts: ResolvedOptions,
  db: Queryable,
  key: string,
  goneWithinMs: number,
  limit: number,
): Promise<InstanceRead[]> {
  const { rows } = await query<InstanceRead>(
    opts,
    db,
    `select id, key, host, pid, mode, labels, started_at as "startedAt", heartbeat_at as "heartbeatAt",
       case when stopped_at is not null then 'stopped' when expires_at > now() then 'live' else 'gone' end
         as state,
       version, hash, applied_at as "appliedAt", last_version as "lastVersion",
       last_outcome as "lastOutcome", last_error_code as "lastErrorCode", last_at as "lastAt"
     from ${opts.quotedSchema}.instances
     where key = $1 and expires_at > now() - $2 * interval '1 millisecond'
     order by (stopped_at is null and expires_at > now()) desc,
       case when stopped_at is null and expires_at > now() then id end,
       expires_at desc
     limit $3`,
    [key, goneWithinMs, limit],
  );
  return rows;
}
