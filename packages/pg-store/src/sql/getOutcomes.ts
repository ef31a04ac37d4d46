import { type Queryable, query } from '../db.js';
import type { FleetOutcome } from '../fleet-types.js';
import type { ResolvedOptions } from '../options.js';

export interface OutcomeRead {
  version: number;
  instanceId: string;
  outcome: FleetOutcome;
  errorCode: string | null;
  error: string | null;
  issues: { path: string; message: string }[] | null;
  at: Date;
}

/** The reports for versions `fromVersion`..`toVersion` of `key` by the instances `ids`. */
export async function getOutcomes(
  opts: ResolvedOptions,
  db: Queryable,
  key: string,
  range: { fromVersion: number; toVersion: number },
  ids: readonly string[],
): Promise<OutcomeRead[]> {
  const { rows } = await query<OutcomeRead>(
    opts,
    db,
    `select version, instance_id as "instanceId", outcome, error_code as "errorCode", error, issues, at
     from ${opts.quotedSchema}.outcomes
     where key = $1 and version between $2 and $3 and instance_id = any($4::text[])`,
    [key, range.fromVersion, range.toVersion, ids],
  );
  return rows;
}
