import { type Queryable, query } from '../db.js';
import type { FleetInstance } from '../fleet-types.js';
import type { ResolvedOptions } from '../options.js';

/** A checked registration with its defaults resolved. */
export interface InstanceRow
  extends Pick<
    FleetInstance,
    'id' | 'key' | 'host' | 'pid' | 'mode' | 'labels' | 'startedAt' | 'version' | 'hash'
  > {
  ttlMs: number;
}

/**
 * Registers (or re-registers) an instance: its row is created or overwritten, live for `ttlMs`.
 * The same statement deletes instances that expired more than `retentionMs` ago (their outcomes go
 * with them), so the table stays as small as the fleet.
 */
export async function upsertInstance(
  opts: ResolvedOptions,
  db: Queryable,
  row: InstanceRow,
  retentionMs: number,
): Promise<void> {
  const schema = opts.quotedSchema;
  await query(
    opts,
    db,
    `with pruned as (
       delete from ${schema}.instances
       where expires_at < now() - $11 * interval '1 millisecond' and id <> $1
     )
     insert into ${schema}.instances as i
       (id, key, host, pid, mode, labels, started_at, heartbeat_at, expires_at, stopped_at,
        version, hash, applied_at, last_version, last_outcome, last_error_code, last_at)
     values ($1, $2, $3, $4, $5, $6, $7, now(), now() + $10 * interval '1 millisecond', null,
        $8, $9, case when $8::integer is null then null else now() end, null, null, null, null)
     on conflict (id) do update set
       key = excluded.key, host = excluded.host, pid = excluded.pid, mode = excluded.mode,
       labels = excluded.labels, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at,
       expires_at = excluded.expires_at, stopped_at = null,
       version = coalesce(excluded.version, i.version), hash = coalesce(excluded.hash, i.hash),
       applied_at = case when excluded.version is null or excluded.version is not distinct from i.version
                    then i.applied_at else excluded.applied_at end`,
    [
      row.id,
      row.key,
      row.host,
      row.pid,
      row.mode,
      JSON.stringify(row.labels),
      row.startedAt,
      row.version,
      row.hash,
      row.ttlMs,
      retentionMs,
    ],
  );
}
