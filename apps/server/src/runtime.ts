import { ConfigReloader, type ReloaderStatus, type ReloadResult } from '@cfg/reloader';
import {
  type AppConfig,
  type ConfigChangeEvent,
  type ConfigSnapshot,
  type ConfigSource,
  describeSkipped,
  type Logger,
  runWithTimeout,
  type SkippedConfig,
  type ValidationIssue,
} from '@cfg/source';
import { Engine, type EngineOptions } from './engine/engine.js';
import { ServerMetrics, type SourceKind } from './observability/metrics.js';
import { boundedResult, ReloadLog } from './observability/reload-log.js';
import { sourceErrorLine } from './observability/source-error-line.js';
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

/** The last failure of a source the server watches, until it recovers. */
export interface SourceFailure {
  kind: SourceKind;
  source: string;
  code?: string;
  message: string;
  /** The latest failure. */
  at: Date;
  /** When the source started failing (the first failure since it last worked). */
  since: Date;
}

/** A watched source, and how to tell that it is readable again and back on what was delivered. */
interface TrackedSource {
  source: ConfigSource;
  lastHash: () => string | null;
}

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
  readonly #logger: Logger;
  readonly #sourceErrors = new Map<SourceKind, SourceFailure>();
  readonly #tracked = new Map<SourceKind, TrackedSource>();
  /** Changes handed to the reloader and not yet settled: `close()` lets them finish first. */
  readonly #inFlight = new Set<Promise<ReloadResult>>();
  #stopping = false;
  readonly #recheck: { intervalMs: number; timeoutMs: number };
  #recheckTimer: NodeJS.Timeout | undefined;
  /** The background re-check running now, until its last source read settled (one at a time). */
  #rechecking: Promise<void> | undefined;
  readonly #startup: (StartupFallback & { version: number | undefined; at: Date }) | undefined;
  /** A snapshot start not yet confirmed by the store (cleared when the poller's error clears). */
  #unconfirmedSnapshot = false;

  private constructor(engine: Engine, opts: RuntimeOptions) {
    this.engine = engine;
    this.writer = opts.writer ?? new MemoryWriter();
    this.redactor = opts.redactor ?? new Redactor();
    this.redactor.learn(opts.initial);
    this.#logger = opts.logger ?? QUIET;
    this.#recheck = { intervalMs: opts.recheckIntervalMs ?? 1000, timeoutMs: opts.recheckTimeoutMs ?? 3000 };
    this.reloads = new ReloadLog(opts.reloadHistory ?? 100);
    this.metrics = new ServerMetrics(opts.initial.version);
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
      this.sourceRecovered(kind);
      await this.handleChange(event);
    };
  }

  /** The source `kind` delivered (or was re-checked and is back): its last error no longer holds; said once. */
  sourceRecovered(kind: SourceKind): void {
    const failure = this.#sourceErrors.get(kind);
    if (!failure) return;
    this.#sourceErrors.delete(kind);
    // The poller reads the store: a snapshot start is confirmed once it reads it again.
    if (kind === 'poller') this.#unconfirmedSnapshot = false;
    const seconds = ((Date.now() - failure.since.getTime()) / 1000).toFixed(1);
    this.#logger.info(
      { source: failure.source, kind, seconds },
      `${kind}: ${failure.source} is readable again (after ${seconds} s)`,
    );
  }

  /** Registers a watched source, so the background re-check can tell when a failure has passed. */
  trackSource(kind: SourceKind, source: ConfigSource, lastHash: () => string | null): void {
    this.#tracked.set(kind, { source, lastHash });
  }

  /**
   * An error handler for a watcher or poller: counted, shown by `/readyz` until it passes, and
   * logged once per outage. A bad content is reported once per content already (so each is news);
   * any other failure repeats on every retry (a database that is gone: every 0.25–5 s), so only the
   * first of an outage is a WARN, the rest DEBUG, and its end one INFO (`sourceRecovered`).
   */
  sourceErrorHandler(kind: SourceKind, source: string): (error: Error) => void {
    return (error) => {
      const code = (error as { code?: unknown }).code;
      const ongoing = this.#sourceErrors.get(kind);
      const now = new Date();
      this.#sourceErrors.set(kind, {
        kind,
        source,
        ...(typeof code === 'string' ? { code } : {}),
        message: error.message,
        at: now,
        since: ongoing?.since ?? now,
      });
      this.metrics.sourceError(kind);
      this.metrics.setDegraded(true);
      const news = !ongoing || code === 'CFG_PARSE' || code === 'CFG_VALIDATION';
      (news ? this.#logger.warn : this.#logger.debug).call(
        this.#logger,
        { source, code, err: error.message },
        sourceErrorLine(kind, error),
      );
      this.#scheduleRecheck();
    };
  }

  /**
   * Readiness and degradation, from state kept up to date in the background: it never reads a
   * source, so `/readyz`, `/healthz` and `/metrics` answer at once even while the database stalls.
   */
  status(): RuntimeStatus {
    const reloader = this.reloader.status();
    const sourceErrors = [...this.#sourceErrors.values()];
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
    clearTimeout(this.#recheckTimer);
    this.writer.close?.();
  }

  /** Lets the changes in flight settle, then stops the modules. Call after the watchers and the HTTP server stopped. */
  async close(): Promise<void> {
    this.beginShutdown();
    await Promise.allSettled([...this.#inFlight]);
    await this.engine.close();
  }

  /** Arms the next background re-check while any source error is shown. */
  #scheduleRecheck(): void {
    if (this.#recheckTimer || this.#rechecking || this.#stopping || this.#sourceErrors.size === 0) return;
    this.#recheckTimer = setTimeout(() => {
      this.#recheckTimer = undefined;
      this.#rechecking = this.#recheckAll().finally(() => {
        this.#rechecking = undefined;
        this.#scheduleRecheck();
      });
    }, this.#recheck.intervalMs).unref();
  }

  async #recheckAll(): Promise<void> {
    for (const kind of [...this.#sourceErrors.keys()]) await this.#recheckOne(kind);
  }

  /**
   * A source whose bytes are back to what was last delivered has recovered even though nothing was
   * delivered (a broken save undone by the next one, a database back after an outage). An answer
   * later than `recheckTimeoutMs` does not count; the next re-check waits until the read settled.
   */
  async #recheckOne(kind: SourceKind): Promise<void> {
    const tracked = this.#tracked.get(kind);
    if (!tracked) return;
    let read: Promise<string> | undefined;
    const inTime = await runWithTimeout(
      this.#recheck.timeoutMs,
      (signal) => (read = tracked.source.hash({ signal })),
      () => new DOMException('the re-check took too long', 'TimeoutError'),
    ).catch(() => undefined);
    if (inTime !== undefined && inTime === tracked.lastHash()) this.sourceRecovered(kind);
    await read?.catch(() => {});
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
    this.#unconfirmedSnapshot = true;
    this.#sourceErrors.set('poller', {
      kind: 'poller',
      source: initial.source,
      ...(startup.storeError.code ? { code: startup.storeError.code } : {}),
      message,
      at: new Date(),
      since: new Date(),
    });
    this.#scheduleRecheck();
  }

  #startupStatus(currentVersion: number | undefined): StartupStatus | null {
    const startup = this.#startup;
    if (!startup) return null;
    const degraded =
      startup.from === 'history'
        ? (currentVersion ?? 0) <= Math.max(...startup.skipped.map((s) => s.version ?? 0))
        : this.#unconfirmedSnapshot;
    return { ...startup, degraded };
  }

  #record(result: ReloadResult): void {
    const version = this.reloader.current.version;
    this.metrics.observeReload(result, version);
    this.status(); // refreshes the degraded gauges
    this.reloads.add(this.redactor.redactOutbound(result, 'sse'));
    this.#logReload(result);
  }

  /** One line per reload: outcome, modules touched, ms, hash prefix, version. */
  #logReload(result: ReloadResult): void {
    const modules = result.modules.map((m) => m.name);
    const facts = {
      outcome: result.outcome,
      modules,
      ms: Math.round(result.durationMs * 10) / 10,
      hash: result.toHash.slice(0, 12),
      version: result.version,
      source: result.source,
    };
    const touched = modules.length > 0 ? modules.join(', ') : 'no modules';
    const at = `${facts.ms} ms, hash ${facts.hash}${result.version === undefined ? '' : `, version ${result.version}`}`;
    if (result.outcome === 'rejected') {
      // Bounded like the API's records: 20k issues made one multi-megabyte log line per rejection.
      const { error, issues, issuesTotal } = boundedResult(result);
      this.#logger.warn(
        { ...facts, errorCode: result.errorCode, error, issues, issuesTotal },
        `reload rejected (${at}): ${error}; still serving ${result.fromHash.slice(0, 12)}`,
      );
    } else {
      this.#logger.info(facts, `reload ${result.outcome}: ${touched} (${at})`);
    }
  }
}
