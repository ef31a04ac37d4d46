import { type Queryable, query } from '../db.js';
import type { FleetOutcome } from '../fleet-types.js';
import type { ResolvedOptions } from '../options.js';

/** The report moves the instance forward: it applied a version at least as new as the one it runs. */
const APPLIED = `(r.outcome in ('noop', 'partial', 'full') and r.version >= coalesce(i.version, 0))`;

export interface OutcomeRow {
  instanceId: string;
  key: string;
  version: number;
  outcome: FleetOutcome;
  hash: string | null;
  errorCode: string | null;
  error: string | null;
  issues: { path: string; message: string }[] | null;
  durationMs: number | null;
}

/**
 * One statement per report: the outcome row (the latest report for a version wins), the instance's
 * row (what it runs and its newest outcome; a rejection, a skipped version or a report older than
 * what it runs leaves what it runs alone: versions only move forward), the rows of versions `keepVersions` or more below this one deleted, and a NOTIFY on the
 * fleet channel. Returns false when the instance is not registered (nothing written).
 */
export async function insertOutcome(
  opts: ResolvedOptions,
  db: Queryable,
  row: OutcomeRow,
  keepVersions: number,
): Promise<boolean> {
  const schema = opts.quotedSchema;
  const { rows } = await query(
    opts,
    db,
    `with inst as (
       select id from ${schema}.instances where id = $3 for update
     ), report as (
       insert into ${schema}.outcomes as o
         (key, version, instance_id, outcome, hash, error_code, error, issues, duration_ms)
       select $1, $2, id, $4, $5, $6, $7, $8, $9 from inst
       on conflict (key, version, instance_id) do update set
         outcome = excluded.outcome, hash = excluded.hash, error_code = excluded.error_code,
         error = excluded.error, issues = excluded.issues, duration_ms = excluded.duration_ms, at = now()
       returning key, version, instance_id, outcome, error_code, at
     ), applied as (
       update ${schema}.instances i set
         last_version = r.version, last_outcome = r.outcome, last_error_code = r.error_code, last_at = r.at,
         version = case when ${APPLIED} then r.version else i.version end,
         hash = case when ${APPLIED} then $5 else i.hash end,
         applied_at = case when ${APPLIED} and r.version <> i.version then r.at else i.applied_at end
       from report r where i.id = r.instance_id
     ), pruned as (
       delete from ${schema}.outcomes where key = $1 and version <= $2 - $11::integer
     )
     select pg_notify($10, json_build_object(
       'key', key, 'version', version, 'instanceId', instance_id, 'outcome', outcome)::text)
     from report`,
    [
      row.key,
      row.version,
      row.instanceId,
      row.outcome,
      row.hash,
      row.errorCode,
      row.error,
      row.issues === null ? null : JSON.stringify(row.issues),
      row.durationMs,
      opts.fleetChannel,
      keepVersions,
    ],
  );
  return rows.length === 1;
}
