import { ConfigReloader, type ReloaderStatus, type ReloadResult } from '@cfg/reloader';
import {
  type AppConfig,
  type ConfigChangeEvent,
  type ConfigSnapshot,
  describeSkipped,
  type Logger,
  type SkippedConfig,
  type ValidationIssue,
} from '@cfg/source';
import { Engine, type EngineOptions } from './engine/engine.js';
import { ServerMetrics, type SourceKind } from './observability/metrics.js';
import { logReload, ReloadLog } from './observability/reload-log.js';
import { type SourceFailure, SourceHealth } from './observability/source-health.js';
import { Redactor } from './secrets/redactor.js';
import { MemoryWriter } from './writers/memory-writer.js';
import type { ConfigWriter } from './writers/types.js';

export interface RuntimeOptions {
  /** The config to start on (already loaded from the source). */
  initial: ConfigSnapshot;
  /** Where API writes go. @defaultValue a `MemoryWriter` (file mode) */
  writer?: ConfigWriter;
  engine?: Omit<EngineOptions, 'logger'>;
  /**
   * Masks secrets wherever values leave the process; it learns every snapshot this runtime is
   * handed (the logger's scrub should use the same one). @defaultValue a `Redactor` of its own
   */
  redactor?: Redactor;
  /** How many reload results `GET /api/v1/reloads` keeps. @defaultValue 100 */
  reloadHistory?: number;
  /** Set when `initial` is not the newest stored version: what was skipped, or why the store was not read. */
  startup?: StartupFallback;
  /**
   * While a source error is shown, how often the source is re-checked in the background (one check
   * at a time), to notice it has recovered. @defaultValue 1000
   */
  recheckIntervalMs?: number;
  /** Longest one background re-check may take; a slower one counts as still failing. @defaultValue 3000 */
  recheckTimeoutMs?: number;
  logger?: Logger;
}

/** Why a process started on something other than the newest stored version. */
export type StartupFallback =
  | {
      /** Newer stored versions did not parse or validate: started on the newest one that did. */
      from: 'history';
      /** The versions passed over, newest first, and why. */
      skipped: SkippedConfig[];
    }
  | {
      /** The store could not be read: started on the local last-known-good snapshot. */
      from: 'snapshot';
      /** The snapshot file. */
      file: string;
      /** Why the store could not be read. */
      storeError: { code?: string; message: string };
    };

/** The start-up fallback as `status()` reports it. */
export type StartupStatus = StartupFallback & {
  /** The version the process started on. */
  version: number | undefined;
  at: Date;
  /**
   * True until it no longer matters: a version newer than every skipped one was applied
   * (`history`), or the store was read again and delivered or confirmed the config (`snapshot`).
   */
  degraded: boolean;
};

export interface RuntimeStatus {
  /** False once shutdown began. */
  ready: boolean;
  /** The latest change was rejected, or a source cannot be read: the last good config is serving. */
  degraded: boolean;
  reloader: ReloaderStatus;
  sourceErrors: SourceFailure[];
  /** How the process started, when it was not on the newest stored version; `null` otherwise. */
  startup: StartupStatus | null;
}

const QUIET: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * Everything the HTTP API and the CLI share: the engine running the modules, the reloader that
 * changes them, the record of reloads (ring buffer, SSE, metrics, one log line each) and the
 * health of the watched sources.
 */
export class Runtime {
  readonly engine: Engine;
  readonly reloader: ConfigReloader;
  readonly writer: ConfigWriter;
  readonly reloads: ReloadLog;
  readonly metrics: ServerMetrics;
  readonly redactor: Redactor;
  /** The health of the watched sources (their failures, logged once per outage, and the re-check). */
  readonly sources: SourceHealth;
  readonly #logger: Logger;
  /** Changes handed to the reloader and not yet settled: `close()` lets them finish first. */
  readonly #inFlight = new Set<Promise<ReloadResult>>();
  #stopping = false;
  readonly #startup: (StartupFallback & { version: number | undefined; at: Date }) | undefined;

  private constructor(engine: Engine, opts: RuntimeOptions) {
    this.engine = engine;
    this.writer = opts.writer ?? new MemoryWriter();
    this.redactor = opts.redactor ?? new Redactor();
    this.redactor.learn(opts.initial);
    this.#logger = opts.logger ?? QUIET;
    this.reloads = new ReloadLog(opts.reloadHistory ?? 100);
    this.metrics = new ServerMetrics(opts.initial.version);
    this.sources = new SourceHealth({
      logger: this.#logger,
      metrics: this.metrics,
      recheck: { intervalMs: opts.recheckIntervalMs ?? 1000, timeoutMs: opts.recheckTimeoutMs ?? 3000 },
    });
    // The reloader's own info/warn lines would repeat ours; its errors (failed rollbacks) still go out.
    const errorsOnly: Logger = { ...QUIET, error: (obj, msg) => this.#logger.error(obj, msg) };
    this.reloader = new ConfigReloader({
      initial: opts.initial,
      target: engine,
      validate: (config) => this.validate(config),
      logger: errorsOnly,
    });
    this.reloader.on('reload', (result) => this.#record(result));
    this.#startup = opts.startup && { ...opts.startup, version: opts.initial.version, at: new Date() };
    if (opts.startup) this.#reportStartup(opts.startup, opts.initial);
  }

  /** Builds and starts the first module set; throws `ConfigValidationError` for a bad initial config. */
  static async create(opts: RuntimeOptions): Promise<Runtime> {
    opts.redactor?.learn(opts.initial); // before the modules are built: they may log
    const engine = await Engine.create(opts.initial.config, { ...opts.engine, logger: opts.logger });
    return new Runtime(engine, opts);
  }

  /**
   * Applies a change from a watcher, a poller or an API write. Never rejects for a bad config. The
   * reloader applies stored versions in order: one older than a version already handed over (an
   * API write's own snapshot reaching it after the poller's load of the next version) is recorded
   * as `superseded`, never applied.
   */
  handleChange(change: ConfigChangeEvent | ConfigSnapshot): Promise<ReloadResult> {
    // Before anything can report on it: a rejected config's secrets are as secret as applied ones.
    this.redactor.learn('snapshot' in change ? change.snapshot : change);
    const applying = this.reloader.handleChange(change);
    this.#inFlight.add(applying);
    void applying.finally(() => this.#inFlight.delete(applying)).catch(() => {});
    return applying;
  }

  /** The engine's check of a whole config (an API write's, before it is stored). */
  validate(config: AppConfig): ValidationIssue[] {
    return this.engine.validate(config);
  }

  /** A change handler for a watcher or poller: a delivered change also means its source recovered. */
  changeHandler(kind: SourceKind): (event: ConfigChangeEvent) => Promise<void> {
    return async (event) => {
      this.sources.recovered(kind);
      await this.handleChange(event);
    };
  }

  /**
   * Readiness and degradation, from state kept up to date in the background: it never reads a
   * source, so `/readyz`, `/healthz` and `/metrics` answer at once even while the database stalls.
   */
  status(): RuntimeStatus {
    const reloader = this.reloader.status();
    const sourceErrors = this.sources.failures();
    const startup = this.#startupStatus(reloader.current.version);
    const degraded = reloader.degraded || sourceErrors.length > 0 || (startup?.degraded ?? false);
    this.metrics.setDegraded(degraded);
    this.metrics.setStartupFallback({
      skippedVersions: startup?.degraded && startup.from === 'history' ? startup.skipped.length : 0,
      localSnapshot: startup?.degraded === true && startup.from === 'snapshot',
    });
    return { ready: !this.#stopping, degraded, reloader, sourceErrors, startup };
  }

  /** True once shutdown began. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /**
   * Marks the server as shutting down (`/readyz` answers 503 from now on); writes not yet being
   * stored are called off, so a stalled database cannot hold the shutdown.
   */
  beginShutdown(): void {
    this.#stopping = true;
    this.sources.stop();
    this.writer.close?.();
  }

  /** Lets the changes in flight settle, then stops the modules. Call after the watchers and the HTTP server stopped. */
  async close(): Promise<void> {
    this.beginShutdown();
    await Promise.allSettled([...this.#inFlight]);
    await this.engine.close();
  }

  /** One warning at start, and a source error for a snapshot start until the store is read again. */
  #reportStartup(startup: StartupFallback, initial: ConfigSnapshot): void {
    const on =
      initial.version === undefined ? initial.source : `version ${initial.version} of ${initial.source}`;
    if (startup.from === 'history') {
      const skipped = startup.skipped.map((s) => describeSkipped(s)).join('; ');
      this.#logger.warn(
        { version: initial.version, skipped: startup.skipped },
        `started on ${on}, the newest usable one; skipped ${startup.skipped.length} newer: ${skipped}`,
      );
      return;
    }
    const message = `started from the local snapshot ${startup.file} (${on}): the store could not be read: ${startup.storeError.message}`;
    this.#logger.warn(
      { version: initial.version, file: startup.file, storeError: startup.storeError },
      message,
    );
    this.sources.startedFromSnapshot(initial.source, message, startup.storeError.code);
  }

  #startupStatus(currentVersion: number | undefined): StartupStatus | null {
    const startup = this.#startup;
    if (!startup) return null;
    const degraded =
      startup.from === 'history'
        ? (currentVersion ?? 0) <= Math.max(...startup.skipped.map((s) => s.version ?? 0))
        : this.sources.unconfirmedSnapshot;
    return { ...startup, degraded };
  }

  #record(result: ReloadResult): void {
    const version = this.reloader.current.version;
    this.metrics.observeReload(result, version);
    this.status(); // refreshes the degraded gauges
    this.reloads.add(this.redactor.redactOutbound(result, 'sse'));
    logReload(this.#logger, result);
  }
}
