import { type OutcomeReport, type PgConfigStore, UnknownInstanceError } from '@cfg/pg-store';
import type { ReloadResult } from '@cfg/reloader';
import { type Logger, runWithTimeout } from '@cfg/source';
import type { Redactor } from '../secrets/redactor.js';
import type { InstanceIdentity } from './instance.js';

/** What the reporter needs of the store. */
export type FleetStore = Pick<
  PgConfigStore,
  'registerInstance' | 'heartbeat' | 'deregisterInstance' | 'reportOutcomes'
>;

export interface FleetReporterOptions {
  store: FleetStore;
  identity: InstanceIdentity;
  /** The version this process started on, and its hash. */
  initial: { version?: number; hash: string };
  /**
   * Heartbeat interval; the instance counts as live for 3 of them without one.
   * @defaultValue 10_000
   */
  heartbeatMs?: number;
  /**
   * Reports kept while the store cannot be reached; beyond it, the oldest are dropped (counted and
   * logged). Only the newest matter: each one also says what the instance now runs.
   * @defaultValue 100
   */
  maxQueued?: number;
  /**
   * Least time between two writes of reports. The first report after a quiet spell is written at
   * once; during a burst of versions the reports wait and go together, one statement per this.
   * @defaultValue 250
   */
  reportSpacingMs?: number;
  /**
   * How long `stop()` may spend sending what is queued and deregistering.
   * @defaultValue 2_000
   */
  stopTimeoutMs?: number;
  /**
   * Masks what a report carries (its error and issues can quote config values) before it is
   * written to the store, where every instance and `cfg status` read it.
   * @defaultValue none: reports go as they are
   */
  redactor?: Pick<Redactor, 'redactOutbound'>;
  logger?: Logger;
}

/** How many heartbeat intervals an instance stays live without one. */
const TTL_HEARTBEATS = 3;
/** First retry after a failed write; doubles up to the heartbeat interval. */
const FIRST_RETRY_MS = 250;
/** Reports per write, at most (the store takes up to 100). */
const BATCH = 50;

/**
 * Tells the store what this process runs: registers it, heartbeats, and reports the outcome of every
 * stored version it handles. Never in the reload's way: `record` only queues (O(1)); one background
 * loop writes the queue in order, in batches at most every `reportSpacingMs` (a burst of versions
 * costs the database a few statements, not one per version and replica), and a store that cannot
 * be reached only delays the reports (they are retried with backoff, and the heartbeat keeps trying
 * to register).
 */
export class FleetReporter {
  readonly id: string;
  readonly #store: FleetStore;
  readonly #identity: InstanceIdentity;
  readonly #heartbeatMs: number;
  readonly #ttlMs: number;
  readonly #maxQueued: number;
  readonly #stopTimeoutMs: number;
  readonly #spacingMs: number;
  readonly #logger: Logger | undefined;
  readonly #redactor: FleetReporterOptions['redactor'];
  readonly #queue: OutcomeReport[] = [];
  /** The newest version this process applied, and its hash: what a (re-)registration says it runs. */
  #running: { version?: number; hash: string };
  /** The newest version reported, and whether it was applied: versions are reported in order. */
  #lastReported: { version: number; applied: boolean };
  #registered = false;
  #pumping: Promise<void> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  /** The next write while reports wait out `reportSpacingMs`. */
  #spacingTimer: NodeJS.Timeout | undefined;
  /** When the last batch was written. */
  #sentAt = Number.NEGATIVE_INFINITY;
  #heartbeat: NodeJS.Timeout | undefined;
  #failures = 0;
  #dropped = 0;
  #stopped = false;

  constructor(opts: FleetReporterOptions) {
    const resolved = {
      heartbeatMs: 10_000,
      maxQueued: 100,
      stopTimeoutMs: 2_000,
      reportSpacingMs: 250,
      ...opts,
    };
    this.#store = resolved.store;
    this.#identity = resolved.identity;
    this.id = resolved.identity.id;
    this.#heartbeatMs = resolved.heartbeatMs;
    this.#ttlMs = resolved.heartbeatMs * TTL_HEARTBEATS;
    this.#maxQueued = resolved.maxQueued;
    this.#stopTimeoutMs = resolved.stopTimeoutMs;
    this.#spacingMs = resolved.reportSpacingMs;
    this.#logger = resolved.logger;
    this.#redactor = resolved.redactor;
    this.#running = { ...resolved.initial };
    this.#lastReported = { version: resolved.initial.version ?? 0, applied: true };
  }

  /**
   * Registers (in the background) and starts the heartbeat. The version it started on is reported as
   * `full`: starting built every module from it.
   */
  start(): void {
    const { version, hash } = this.#running;
    if (version !== undefined)
      this.#queue.push({ instanceId: this.id, key: this.#identity.key, version, outcome: 'full', hash });
    this.#heartbeat = setInterval(() => this.#tick(), this.#heartbeatMs);
    this.#heartbeat.unref();
    this.#pump();
  }

  /** Reports waiting to be written. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Queues the report of one reload result. Skipped: results without a stored version (file mode),
   * results for an older version, and results for the version last reported unless they apply it
   * after it was not applied. So a change delivered twice is one report, while in overlay mode a
   * rejected file edit carrying overlay version n, fixed by the next save, ends as "n applied".
   */
  record(result: ReloadResult): void {
    const { version } = result;
    if (this.#stopped || version === undefined) return;
    const applied = result.outcome === 'noop' || result.outcome === 'partial' || result.outcome === 'full';
    const last = this.#lastReported;
    if (version < last.version || (version === last.version && (last.applied || !applied))) return;
    this.#lastReported = { version, applied };
    if (applied) this.#running = { version, hash: result.toHash };
    this.#queue.push(this.#report(result, version));
    if (this.#queue.length > this.#maxQueued) {
      this.#queue.shift();
      this.#dropped++;
    }
    // After the reload's own turn of the event loop: the write's setup is not on its path either.
    setImmediate(() => this.#pump());
  }

  /** Stops the heartbeat, sends what is queued and deregisters, within `stopTimeoutMs`. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#spacingTimer);
    const finish = async () => {
      await this.#pumping;
      await this.#drainAll().catch(() => {});
      await this.#store.deregisterInstance(this.id);
    };
    // Past the limit (or failed), the rest is given up: stopping must not wait on the store.
    await runWithTimeout(this.#stopTimeoutMs, finish, () => undefined).catch(() => {});
  }

  #report(result: ReloadResult, version: number): OutcomeReport {
    const report: OutcomeReport = {
      instanceId: this.id,
      key: this.#identity.key,
      version,
      outcome: result.outcome,
      hash: result.toHash,
      ...(result.errorCode === undefined ? {} : { errorCode: result.errorCode }),
      ...(result.error === undefined ? {} : { error: result.error }),
      ...(result.issues === undefined ? {} : { issues: result.issues }),
      durationMs: result.durationMs,
    };
    return this.#redactor ? this.#redactor.redactOutbound(report, 'fleet') : report;
  }

  /** One heartbeat; also the moment to retry a registration or a queue that the store refused. */
  #tick(): void {
    if (!this.#registered || this.#queue.length > 0) {
      this.#pump();
      return;
    }
    this.#store.heartbeat(this.id, { ttlMs: this.#ttlMs }).then(
      (known) => {
        if (known) this.#recovered();
        else {
          this.#registered = false; // pruned or marked stopped: register again
          this.#pump();
        }
      },
      (error: unknown) => this.#failed(error, 'heartbeat'),
    );
  }

  /**
   * Starts the background writer unless it runs or waits: it registers first when needed, then
   * writes what is queued; within `reportSpacingMs` of the last write, it waits that out first.
   */
  #pump(): void {
    if (this.#pumping || this.#stopped || this.#spacingTimer) return;
    const wait = this.#sentAt + this.#spacingMs - performance.now();
    if (wait > 0 && this.#registered && this.#queue.length > 0) {
      this.#spacingTimer = setTimeout(() => {
        this.#spacingTimer = undefined;
        this.#pump();
      }, wait);
      this.#spacingTimer.unref();
      return;
    }
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#pumping = this.#drain()
      .then(
        () => {
          this.#recovered();
          // Reports that came during the write: the next batch, after the spacing.
          if (this.#queue.length > 0) setImmediate(() => this.#pump());
        },
        (error: unknown) => {
          this.#failed(error, this.#registered ? 'report' : 'register');
          const delay = Math.min(this.#heartbeatMs, FIRST_RETRY_MS * 2 ** Math.min(this.#failures, 10));
          this.#retryTimer = setTimeout(() => this.#pump(), delay);
          this.#retryTimer.unref();
        },
      )
      .finally(() => {
        this.#pumping = undefined;
      });
  }

  async #drainAll(): Promise<void> {
    while (this.#queue.length > 0) await this.#drain();
  }

  /** Registers if needed, then writes one batch: what is queued, oldest first, up to `BATCH`. */
  async #drain(): Promise<void> {
    if (!this.#registered) await this.#register();
    if (this.#queue.length === 0) return;
    const batch = this.#queue.slice(0, BATCH);
    try {
      await this.#store.reportOutcomes(batch);
    } catch (error) {
      if (!(error instanceof UnknownInstanceError)) throw error;
      await this.#register();
      await this.#store.reportOutcomes(batch);
    }
    this.#sentAt = performance.now();
    // What is left of the batch is still the head of the queue (reports over `maxQueued` are dropped
    // from the head, maybe some of this batch meanwhile).
    const sent = new Set(batch);
    let written = 0;
    while (written < this.#queue.length && sent.has(this.#queue[written]!)) written++;
    this.#queue.splice(0, written);
  }

  async #register(): Promise<void> {
    this.#registered = false;
    await this.#store.registerInstance({
      ...this.#identity,
      ...this.#running,
      ttlMs: this.#ttlMs,
    });
    this.#registered = true;
  }

  /**
   * Failures are counted until the store recovers. The first is logged at debug only: a database
   * outage is said once, by the poller (`poller error: …`), not once more per thing that uses it.
   */
  #failed(error: unknown, what: string): void {
    this.#failures++;
    if (this.#failures === 1)
      this.#logger?.debug(
        { err: (error as Error).message, instance: this.id, queued: this.#queue.length },
        `fleet ${what} failed (${(error as Error).message}); retrying, reloads are not affected`,
      );
  }

  #recovered(): void {
    if (this.#failures > 0 || this.#dropped > 0)
      this.#logger?.info(
        { instance: this.id, failures: this.#failures, dropped: this.#dropped },
        `fleet reports are written again (${this.#failures} failed attempts, ${this.#dropped} old reports dropped)`,
      );
    this.#failures = 0;
    this.#dropped = 0;
  }
}
