import { type Queryable, query } from '../db.js';
import type { FleetOutcome } from '../fleet-types.js';
import type { ResolvedOptions } from '../options.js';

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
 * One statement per batch of reports of one instance and key, in version order, one version each
 * (`reportOutcomes` keeps the last report of a version): the outcome rows (the latest report for a
 * version wins), the instance's row (its newest outcome, and what it runs: the newest applied
 * version if that is at least the one it runs; versions only move forward), the rows of versions
 * `keepVersions` or more below the newest deleted, and a NOTIFY on the fleet channel per report (one
 * transaction: listeners are woken once). Returns false when the instance is not registered
 * (nothing written).
 */
export async function insertOutcomes(
  opts: ResolvedOptions,
  db: Queryable,
  rows: readonly OutcomeRow[],
  keepVersions: number,
): Promise<boolean> {
  const schema = opts.quotedSchema;
  const { instanceId, key } = rows[0]!;
  const batch = rows.map((r) => ({
    version: r.version,
    outcome: r.outcome,
    hash: r.hash,
    error_code: r.errorCode,
    error: r.error,
    issues: r.issues,
    duration_ms: r.durationMs,
  }));
  const { rows: notified } = await query(
    opts,
    db,
    `with inst as (
       select id from ${schema}.instances where id = $2 for update
     ), batch as (
       select * from jsonb_to_recordset($3::jsonb) as b(version integer, outcome text, hash text,
         error_code text, error text, issues jsonb, duration_ms double precision)
     ), report as (
       insert into ${schema}.outcomes as o
         (key, version, instance_id, outcome, hash, error_code, error, issues, duration_ms)
       select $1, b.version, inst.id, b.outcome, b.hash, b.error_code, b.error, b.issues, b.duration_ms
       from batch b, inst
       on conflict (key, version, instance_id) do update set
         outcome = excluded.outcome, hash = excluded.hash, error_code = excluded.error_code,
         error = excluded.error, issues = excluded.issues, duration_ms = excluded.duration_ms, at = now()
       returning key, version, instance_id, outcome, hash, error_code, at
     ), newest as (
       select * from report order by version desc limit 1
     ), applied as (
       select * from report where outcome in ('noop', 'partial', 'full') order by version desc limit 1
     ), moved as (
       update ${schema}.instances i set
         last_version = n.version, last_outcome = n.outcome, last_error_code = n.error_code, last_at = n.at,
         version = case when a.version >= coalesce(i.version, 0) then a.version else i.version end,
         hash = case when a.version >= coalesce(i.version, 0) then a.hash else i.hash end,
         applied_at = case when a.version >= coalesce(i.version, 0) and a.version <> i.version
           then a.at else i.applied_at end
       from newest n left join applied a on true
       where i.id = n.instance_id
     ), pruned as (
       delete from ${schema}.outcomes where key = $1 and version <= (select max(version) from report) - $5::integer
     )
     select pg_notify($4, json_build_object(
       'key', key, 'version', version, 'instanceId', instance_id, 'outcome', outcome)::text)
     from report order by version`,
    [key, instanceId, JSON.stringify(batch), opts.fleetChannel, keepVersions],
  );
  return notified.length > 0;
}
