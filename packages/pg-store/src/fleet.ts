import type { Queryable } from './db.js';
import type {
  FleetInstance,
  FleetNotice,
  FleetOptions,
  FleetOutcome,
  FleetState,
  Rollout,
  RolloutStatus,
  WaitForRolloutOptions,
} from './fleet-types.js';
import type { ResolvedOptions } from './options.js';
import { getHistory } from './sql/getHistory.js';
import { getInstances, type InstanceRead } from './sql/getInstances.js';
import { getOutcomes, type OutcomeRead } from './sql/getOutcomes.js';
import { assertInteger } from './validate.js';

/** At most this many instances are read back per key (live ones first). */
export const MAX_FLEET_INSTANCES = 1000;
/** At most this many recent versions are counted. */
export const MAX_FLEET_VERSIONS = 100;

/** Who follows `key`, what each runs, and the live instances counted per recent version. */
export async function readFleet(
  opts: ResolvedOptions,
  db: Queryable,
  key: string,
  fleetOpts: FleetOptions,
): Promise<FleetState> {
  const { versions: wanted, goneWithinMs } = { versions: 10, goneWithinMs: 3_600_000, ...fleetOpts };
  assertInteger('versions', wanted, 1);
  assertInteger('goneWithinMs', goneWithinMs, 0);
  const [rows, history] = await Promise.all([
    getInstances(opts, db, key, goneWithinMs, MAX_FLEET_INSTANCES),
    getHistory(opts, db, key, { beforeVersion: null, limit: Math.min(wanted, MAX_FLEET_VERSIONS) }),
  ]);
  const versions = history.filter((h) => h.op !== 'delete');
  const newestVersion = versions[0]?.version ?? null;
  const instances = rows.map((row) => _instance(row, newestVersion));
  const live = instances.filter((i) => i.state === 'live');
  const outcomes =
    versions.length > 0 && live.length > 0
      ? await getOutcomes(
          opts,
          db,
          key,
          { fromVersion: versions.at(-1)!.version, toVersion: versions[0]!.version },
          live.map((i) => i.id),
        )
      : [];
  const byVersion = _outcomesByVersion(outcomes);
  return {
    key,
    newestVersion,
    instances,
    versions: versions.map((h) => {
      const counts: Record<RolloutStatus, number> = { applied: 0, rejected: 0, superseded: 0, pending: 0 };
      const reported = byVersion.get(h.version);
      for (const instance of live)
        counts[rolloutStatus(instance.version, reported?.get(instance.id)?.outcome, h.version)]++;
      return { version: h.version, op: h.op, hash: h.hash, actor: h.actor, changedAt: h.changedAt, counts };
    }),
  };
}

/** Where `version` of `key` stands across the live instances (see `Rollout`). */
export async function readRollout(
  opts: ResolvedOptions,
  db: Queryable,
  key: string,
  version: number,
): Promise<Rollout> {
  const [rows, newest] = await Promise.all([
    getInstances(opts, db, key, 0, MAX_FLEET_INSTANCES),
    getHistory(opts, db, key, { beforeVersion: null, limit: 1 }),
  ]);
  const newestVersion = newest[0]?.op === 'delete' ? null : (newest[0]?.version ?? null);
  const live = rows.map((row) => _instance(row, newestVersion));
  const outcomes =
    live.length > 0
      ? await getOutcomes(
          opts,
          db,
          key,
          { fromVersion: version, toVersion: version },
          live.map((i) => i.id),
        )
      : [];
  const reported = _outcomesByVersion(outcomes).get(version);
  const instances = live.map((instance) => {
    const report = reported?.get(instance.id);
    return {
      instance,
      status: rolloutStatus(instance.version, report?.outcome, version),
      outcome: report
        ? {
            outcome: report.outcome,
            errorCode: report.errorCode,
            error: report.error,
            issues: report.issues,
            at: report.at,
          }
        : null,
    };
  });
  const state = instances.some((i) => i.status === 'rejected')
    ? 'rejected'
    : instances.some((i) => i.status === 'pending')
      ? 'pending'
      : 'complete';
  return { key, version, state, instances };
}

/**
 * What an instance running `running` did with `version`, given its report for it (if any): its
 * report decides; without one, it applied the version it runs (it started on it), skipped an older
 * one (`superseded`: it moved past it), and has yet to handle a newer one (`pending`).
 */
export function rolloutStatus(
  running: number | null,
  reported: FleetOutcome | undefined,
  version: number,
): RolloutStatus {
  if (reported === 'rejected' || reported === 'superseded') return reported;
  if (reported !== undefined) return 'applied';
  if (running === null || running < version) return 'pending';
  return running === version ? 'applied' : 'superseded';
}

/**
 * Re-reads the rollout until it is no longer pending or `timeoutMs` passed: after each outcome
 * NOTIFY for `key` at once, and every `pollIntervalMs` whatever the notifications say (they are hints;
 * an instance that stops sends none). A read that fails (the database is away) is retried the same
 * way; if no read succeeded by the deadline, the last error is thrown.
 */
export async function waitForRollout(
  read: () => Promise<Rollout>,
  subscribe: (
    listener: (notice: FleetNotice) => void,
    opts: { onReconnect: () => void },
  ) => Promise<() => Promise<void>>,
  key: string,
  waitOpts: WaitForRolloutOptions,
): Promise<Rollout> {
  const { timeoutMs, pollIntervalMs, signal, onProgress } = {
    timeoutMs: 60_000,
    pollIntervalMs: 1_000,
    ...waitOpts,
  };
  assertInteger('timeoutMs', timeoutMs, 0);
  assertInteger('pollIntervalMs', pollIntervalMs, 1);
  const deadline = performance.now() + timeoutMs;
  let wake: (() => void) | undefined;
  let hinted = false;
  const hint = () => {
    hinted = true;
    wake?.();
  };
  const unsubscribe = await subscribe((notice) => notice.key === key && hint(), { onReconnect: hint });
  try {
    let last: Rollout | undefined;
    let lastError: unknown;
    for (;;) {
      signal?.throwIfAborted();
      hinted = false;
      try {
        last = await read();
        onProgress?.(last);
        if (last.state !== 'pending') return last;
      } catch (error) {
        lastError = error;
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        if (last) return last;
        throw lastError;
      }
      if (!hinted)
        await _sleep(Math.min(pollIntervalMs, remaining), signal, (fn) => {
          wake = fn;
        });
      wake = undefined;
    }
  } finally {
    await unsubscribe();
  }
}

function _instance(row: InstanceRead, newestVersion: number | null): FleetInstance {
  return {
    id: row.id,
    key: row.key,
    host: row.host,
    pid: row.pid,
    mode: row.mode,
    labels: row.labels,
    startedAt: row.startedAt,
    heartbeatAt: row.heartbeatAt,
    state: row.state,
    version: row.version,
    hash: row.hash,
    appliedAt: row.appliedAt,
    lag: row.version === null || newestVersion === null ? null : Math.max(0, newestVersion - row.version),
    lastOutcome:
      row.lastVersion === null || row.lastOutcome === null || row.lastAt === null
        ? null
        : {
            version: row.lastVersion,
            outcome: row.lastOutcome,
            errorCode: row.lastErrorCode,
            at: row.lastAt,
          },
  };
}

function _outcomesByVersion(rows: readonly OutcomeRead[]): Map<number, Map<string, OutcomeRead>> {
  const byVersion = new Map<number, Map<string, OutcomeRead>>();
  for (const row of rows) {
    const forVersion = byVersion.get(row.version) ?? new Map<string, OutcomeRead>();
    byVersion.set(row.version, forVersion);
    forVersion.set(row.instanceId, row);
  }
  return byVersion;
}

/** Resolves after `ms`, or earlier when the function handed to `onWake` is called; rejects on abort. */
function _sleep(
  ms: number,
  signal: AbortSignal | undefined,
  onWake: (wake: () => void) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', aborted);
      resolve();
    };
    const aborted = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', aborted, { once: true });
    onWake(done);
  });
}
