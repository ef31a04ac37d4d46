import { ConfigReloader, type ReloaderStatus, type ReloadResult } from '@cfg/reloader';
import type {
  AppConfig,
  ConfigChangeEvent,
  ConfigSnapshot,
  ConfigSource,
  Logger,
  ValidationIssue,
} from '@cfg/source';
import { Engine, type EngineOptions } from './engine/engine.js';
import { ServerMetrics, type SourceKind } from './lib/metrics.js';
import { boundedResult, ReloadLog } from './lib/reload-log.js';
import { MemoryWriter } from './writers/memory-writer.js';
import type { ConfigWriter } from './writers/types.js';

export interface RuntimeOptions {
  /** The config to start on (already loaded from the source). */
  initial: ConfigSnapshot;
  /** Where API writes go. @defaultValue a `MemoryWriter` (file mode) */
  writer?: ConfigWriter;
  engine?: Omit<EngineOptions, 'logger'>;
  /** How many reload results `GET /api/v1/reloads` keeps. @defaultValue 100 */
  reloadHistory?: number;
  logger?: Logger;
}

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
  readonly #logger: Logger;
  readonly #sourceErrors = new Map<SourceKind, SourceFailure>();
  readonly #tracked = new Map<SourceKind, TrackedSource>();
  /** The highest stored version handed to the reloader so far (per source name: one source runs). */
  #newestVersion: { source: string; version: number; hash: string } | undefined;
  /** Changes handed to the reloader and not yet settled: `close()` lets them finish first. */
  readonly #inFlight = new Set<Promise<ReloadResult>>();
  #stopping = false;
  #lastValidated: { config: AppConfig; issues: ValidationIssue[] } | undefined;

  private constructor(engine: Engine, opts: RuntimeOptions) {
    this.engine = engine;
    this.writer = opts.writer ?? new MemoryWriter();
    this.#logger = opts.logger ?? QUIET;
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
    this.#supersededByNewerVersion(opts.initial);
  }

  /** Builds and starts the first module set; throws `ConfigValidationError` for a bad initial config. */
  static async create(opts: RuntimeOptions): Promise<Runtime> {
    const engine = await Engine.create(opts.initial.config, { ...opts.engine, logger: opts.logger });
    return new Runtime(engine, opts);
  }

  /**
   * Applies a change from a watcher, a poller or an API write. Never rejects for a bad config. A
   * stored version older than one already handed over is stale: it is recorded as `superseded` and
   * never applied. Without this, an API write's own snapshot (version n) reaching the reloader after
   * the poller's load of version n + 1 would win as the newer arrival, put the server back on n, and
   * leave it there — the poller has delivered n + 1 and sees nothing new (found by the fault suite's
   * race test).
   */
  handleChange(change: ConfigChangeEvent | ConfigSnapshot): Promise<ReloadResult> {
    const snapshot = 'snapshot' in change ? change.snapshot : change;
    const stale = this.#supersededByNewerVersion(snapshot);
    if (stale) {
      this.#record(stale);
      return Promise.resolve(stale);
    }
    const applying = this.reloader.handleChange(change);
    this.#inFlight.add(applying);
    void applying.finally(() => this.#inFlight.delete(applying)).catch(() => {});
    return applying;
  }

  /**
   * The engine's check of a whole config. The same config object twice in a row — an API write,
   * checked before it is stored, then applied — is checked once (configs are never modified).
   */
  validate(config: AppConfig): ValidationIssue[] {
    const last = this.#lastValidated;
    if (last?.config === config) return last.issues;
    const issues = this.engine.validate(config);
    this.#lastValidated = { config, issues };
    return issues;
  }

  /** A change handler for a watcher or poller: a delivered change also means its source recovered. */
  changeHandler(kind: SourceKind): (event: ConfigChangeEvent) => Promise<void> {
    return async (event) => {
      this.sourceRecovered(kind);
      await this.handleChange(event);
    };
  }

  /** The source `kind` delivered (or read fine) again: its last error no longer holds; said once. */
  sourceRecovered(kind: SourceKind): void {
    const failure = this.#sourceErrors.get(kind);
    if (!failure) return;
    this.#sourceErrors.delete(kind);
    const seconds = ((Date.now() - failure.since.getTime()) / 1000).toFixed(1);
    this.#logger.info(
      { source: failure.source, kind, seconds },
      `${kind}: ${failure.source} is readable again (after ${seconds} s)`,
    );
  }

  /** Registers a watched source, so `status()` can tell when a failure has passed. */
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
        `${kind} error: ${error.message}; still serving the last good config`,
      );
    };
  }

  /**
   * Readiness and degradation, with source failures re-checked first: a source whose bytes are
   * back to what was last delivered has recovered even though no change was delivered (a broken
   * save undone by the next one).
   */
  async status(): Promise<RuntimeStatus> {
    await Promise.all([...this.#sourceErrors.keys()].map((kind) => this.#recheck(kind)));
    const reloader = this.reloader.status();
    const sourceErrors = [...this.#sourceErrors.values()];
    const degraded = reloader.degraded || sourceErrors.length > 0;
    this.metrics.setDegraded(degraded);
    return { ready: !this.#stopping, degraded, reloader, sourceErrors };
  }

  /** True once shutdown began. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** Marks the server as shutting down (`/readyz` answers 503 from now on). */
  beginShutdown(): void {
    this.#stopping = true;
  }

  /** Lets the changes in flight settle, then stops the modules. Call after the watchers and the HTTP server stopped. */
  async close(): Promise<void> {
    this.#stopping = true;
    await Promise.allSettled([...this.#inFlight]);
    await this.engine.close();
  }

  async #recheck(kind: SourceKind): Promise<void> {
    const tracked = this.#tracked.get(kind);
    if (!tracked) return;
    try {
      const hash = await tracked.source.hash();
      if (hash === tracked.lastHash()) this.sourceRecovered(kind);
    } catch {
      // Still failing: keep the error.
    }
  }

  /** A result for `snapshot` when a newer version of its source was already handed over; else notes its version. */
  #supersededByNewerVersion(snapshot: ConfigSnapshot): ReloadResult | undefined {
    const { version, source, hash } = snapshot;
    if (version === undefined) return undefined;
    const newest = this.#newestVersion;
    if (newest?.source === source && version < newest.version) {
      return {
        outcome: 'superseded',
        fromHash: this.reloader.current.hash,
        toHash: hash,
        version,
        source,
        modules: [],
        reason: `version ${version} arrived after version ${newest.version}, which was already handed to the reloader`,
        supersededBy: newest.hash,
        durationMs: 0,
        at: new Date(),
      };
    }
    this.#newestVersion = { source, version, hash };
    return undefined;
  }

  #record(result: ReloadResult): void {
    const version = this.reloader.current.version;
    this.metrics.observeReload(result, version);
    this.metrics.setDegraded(this.reloader.status().degraded || this.#sourceErrors.size > 0);
    // A change delivered twice (an API write, then the poller seeing that same write) is no reload.
    if (result.outcome === 'noop' && result.fromHash === result.toHash) return;
    this.reloads.add(result);
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
