import { type ConfigDiff, DuplicateModuleError, diffConfigs } from '@cfg/diff';
import {
  type AppConfig,
  type ConfigChangeEvent,
  type ConfigSnapshot,
  ConfigValidationError,
  errorMessage,
  type Logger,
  moduleIssuePath,
} from '@cfg/source';
import { applyPartial, type PartialStep } from './apply-partial.js';
import { ReloadError } from './errors.js';
import { isReconfigurable } from './is-reconfigurable.js';
import { planReload } from './plan.js';
import { SafeEmitter } from './safe-emit.js';
import {
  type ModuleReport,
  RELOAD_OUTCOMES,
  type Reconfigurable,
  type ReloaderEventMap,
  type ReloaderOptions,
  type ReloaderStatus,
  type ReloadFailure,
  type ReloadOutcome,
  type ReloadResult,
} from './types.js';
import { runValidator } from './validate.js';
import { withTimeout } from './with-timeout.js';

/** The part of a result that depends on what happened (the rest is filled in by `#apply`). */
type Decision = Pick<ReloadResult, 'outcome' | 'modules' | 'reason' | 'error' | 'errorCode' | 'issues'>;

interface Waiting<C extends AppConfig> {
  snapshot: ConfigSnapshot<C>;
  receivedAt: number;
  result: Promise<ReloadResult>;
  resolve: (result: ReloadResult) => void;
}

const SILENT = () => {};
const SILENT_LOGGER: Logger = { debug: SILENT, info: SILENT, warn: SILENT, error: SILENT };

/**
 * Applies config changes safely, one at a time: validate, diff, plan, then reconfigure the changed
 * modules in place (two-phase, rolled back on failure) or rebuild everything with
 * `target.fullReload`. A change that cannot be applied is `rejected` and the last good config stays
 * `current`. Changes arriving during a reload are queued; only the newest queued one is applied.
 */
export class ConfigReloader<C extends AppConfig = AppConfig> {
  readonly #opts: ReturnType<typeof _resolveOptions<C>>;
  readonly #events: SafeEmitter<ReloaderEventMap<C>>;
  #current: ConfigSnapshot<C>;
  #waiting: Waiting<C>[] = [];
  #reloading = false;
  #lastResult: ReloadResult | null = null;
  /** The result that made `current` what it is (none for the initial one): what a repeat of it gets. */
  #appliedBy: ReloadResult | undefined;
  #lastError: ReloadFailure | null = null;
  #degraded = false;
  /** The newest stored version handed over so far (initial, changes, `setCurrent`), per the source it came from. */
  #newest: Pick<ConfigSnapshot, 'source' | 'version' | 'hash'> | undefined;
  /**
   * Names from which no dependency cycle can be reached, in the graph of the config whose module
   * list is `modules`: `dependencyOrder`'s memo, so a partial reload of one module does not walk
   * its dependencies again every time. Carried to the next config only by a partial plan, which
   * implies the same graph (no module added or removed, no `dependsOn` changed).
   */
  #acyclic: { modules: readonly unknown[]; names: Set<string> } | undefined;
  readonly #counts = Object.fromEntries(RELOAD_OUTCOMES.map((o) => [o, 0])) as Record<ReloadOutcome, number>;

  constructor(options: ReloaderOptions<C>) {
    this.#opts = _resolveOptions(options);
    this.#current = _checkSnapshot(options.initial, 'options.initial');
    this.#events = new SafeEmitter(this.#opts.logger);
    this.#noteVersion(this.#current);
  }

  /** The last good config: the one the target runs on. Changes only when a change succeeds. */
  get current(): ConfigSnapshot<C> {
    return this.#current;
  }

  /** Listens to an event (see `ReloaderEventMap`); returns a function that stops listening. */
  on<E extends keyof ReloaderEventMap<C>>(
    event: E,
    listener: (payload: ReloaderEventMap<C>[E]) => unknown,
  ): () => void {
    return this.#events.on(event, listener);
  }

  off<E extends keyof ReloaderEventMap<C>>(
    event: E,
    listener: (payload: ReloaderEventMap<C>[E]) => unknown,
  ): void {
    this.#events.off(event, listener);
  }

  /**
   * Applies a change (a watcher's event, or a snapshot). Resolves with what happened — it never
   * rejects for a bad config, a failing module or a timeout; only for a malformed argument.
   *
   * Versions are applied in order: a snapshot whose `version` is older than one already handed
   * over from the same source is `superseded` at once, never applied (an API write's own snapshot
   * of version n arriving after the poller's load of n + 1 must not put the target back on n).
   *
   * The same change delivered twice is applied once (a process's own write: its snapshot, then its
   * poller's load of it): a snapshot with the hash and version of the newest one waiting shares
   * that one's result, and one with the hash and version of `current` is counted as a `noop` and
   * emits no event, since nothing happened; it returns the result that applied `current`.
   */
  async handleChange(change: ConfigChangeEvent<C> | ConfigSnapshot<C>): Promise<ReloadResult> {
    const snapshot = _checkSnapshot(
      _isChangeEvent(change) ? change.snapshot : change,
      'handleChange(change) takes a ConfigChangeEvent or a snapshot; the snapshot',
    );
    const stale = this.#olderThanNewest(snapshot);
    if (stale) return this.#settle(stale, snapshot);
    const newest = this.#waiting.at(-1);
    if (newest && _sameChange(newest.snapshot, snapshot)) return newest.result;
    this.#noteVersion(snapshot);
    let resolve!: (result: ReloadResult) => void;
    const result = new Promise<ReloadResult>((r) => (resolve = r));
    this.#waiting.push({ snapshot, receivedAt: performance.now(), result, resolve });
    if (!this.#reloading) void this.#drain();
    return result;
  }

  /**
   * Records a config applied by another path (e.g. an API call that reconfigured and persisted it),
   * so a later change with the same hash is a no-op. Clears `degraded`. Does not touch the target.
   */
  setCurrent(snapshot: ConfigSnapshot<C>): void {
    this.#degraded = false;
    this.#replaceCurrent(_checkSnapshot(snapshot, 'setCurrent(snapshot)'));
    this.#noteVersion(snapshot);
  }

  status(): ReloaderStatus {
    const { hash, version, source, loadedAt } = this.#current;
    return {
      current: { hash, version, source, loadedAt },
      lastResult: this.#lastResult,
      lastError: this.#lastError,
      counts: { ...this.#counts },
      degraded: this.#degraded,
      reloading: this.#reloading,
      queued: this.#waiting.length,
    };
  }

  /** Serial queue: the newest waiting change runs; the ones it overtook resolve as superseded. */
  async #drain(): Promise<void> {
    this.#reloading = true;
    try {
      while (this.#waiting.length > 0) {
        const overtaken = this.#waiting.splice(0);
        const newest = overtaken.pop()!;
        const result = await this.#apply(newest.snapshot);
        // The winner settles first, so a superseded listener already sees the new `current`.
        newest.resolve(this.#settle(result, newest.snapshot));
        for (const skipped of overtaken) {
          skipped.resolve(this.#settle(_superseded(skipped, result), skipped.snapshot));
        }
      }
    } finally {
      this.#reloading = false;
    }
  }

  /** Decides and applies one change. Never throws: every failure becomes a `rejected` result. */
  async #apply(next: ConfigSnapshot<C>): Promise<ReloadResult> {
    const from = this.#current;
    const at = new Date();
    const started = performance.now();
    const base = {
      fromHash: from.hash,
      fromVersion: from.version,
      toHash: next.hash,
      version: next.version,
      source: next.source,
      at,
    };
    let decision: Decision;
    if (next.hash === from.hash) {
      // Same content under a new version (a rollback to what runs): nothing to apply, but the
      // version is a fact of the store, so `current` takes it.
      const reason = _adoptsVersion(from, next)
        ? `same content as current; adopts version ${next.version}`
        : 'same hash as current';
      decision = { outcome: 'noop', modules: [], reason };
    } else {
      this.#events.emit('reload:start', { fromHash: from.hash, toHash: next.hash, source: next.source, at });
      try {
        decision = await this.#decide(from.config, next.config);
      } catch (error) {
        // Only a bug in a target's `getModule` or in this package gets here; nothing was applied.
        decision = _rejected(new ReloadError('CFG_RELOAD_FAILED', `reload failed: ${errorMessage(error)}`));
      }
    }
    return { ...base, ...decision, durationMs: performance.now() - started };
  }

  /** Validate, diff, plan, apply. Throws only on a bug (see `#apply`). */
  async #decide(previous: C, next: C): Promise<Decision> {
    const refusal = await this.#validate(next);
    if (refusal) return _rejected(refusal);
    const diff = _diff(previous, next);
    if (diff instanceof ConfigValidationError) return _rejected(diff);

    const live = new Map<string, Reconfigurable>();
    const memo = this.#acyclic;
    const acyclic = memo?.modules === previous.modules ? memo.names : new Set<string>();
    const plan = planReload(
      diff,
      next,
      (name) => {
        const module = this.#opts.target.getModule(name);
        if (isReconfigurable(module)) live.set(name, module);
        return live.has(name);
      },
      acyclic,
    );
    if (plan.kind === 'partial') this.#acyclic = { modules: next.modules, names: acyclic };
    const changed = [...diff.modules.added, ...diff.modules.modified].map((m) => m.name);
    switch (plan.kind) {
      case 'noop':
        return { outcome: 'noop', modules: [], reason: plan.reason };
      case 'full':
        return this.#fullReload(next, plan.reason, changed);
      case 'partial': {
        const steps = plan.modules.map((change) => ({ change, module: live.get(change.name)! }));
        return this.#partialReload(steps, plan.reason, next, changed);
      }
    }
  }

  /** `undefined` when the config passes `options.validate` (or there is none). */
  async #validate(next: C): Promise<ConfigValidationError | ReloadError | undefined> {
    const { validate, reloadTimeoutMs } = this.#opts;
    if (!validate) return undefined;
    const spec = {
      ms: reloadTimeoutMs,
      step: 'validation',
      fix: 'raise reloadTimeoutMs, or make the validator faster',
    };
    try {
      const issues = await withTimeout(spec, () => runValidator(validate, next));
      return issues.length > 0 ? new ConfigValidationError(issues) : undefined;
    } catch (timeout) {
      return timeout as ReloadError; // `runValidator` never throws: only the timeout lands here.
    }
  }

  /** Two-phase in place; if a module fails after others changed, roll back and rebuild everything. */
  async #partialReload(
    steps: PartialStep[],
    reason: string,
    next: C,
    changed: readonly string[],
  ): Promise<Decision> {
    const applied = await applyPartial(steps, this.#opts.moduleTimeoutMs);
    if (applied.ok) return { outcome: 'partial', modules: applied.reports, reason };

    const { name, error } = applied.failed;
    if (applied.phase === 'prepare') {
      // A refusal in prepare is a verdict on the config; a prepare that timed out is not.
      const refusal = error instanceof ReloadError ? error : _prepareRefusal(name, error);
      return { ..._rejected(refusal), modules: applied.reports };
    }

    const rolledBack = applied.reports.filter((r) => r.status === 'rolled-back').map((r) => `"${r.name}"`);
    const what = `module "${name}" failed to reconfigure (${errorMessage(error)})${
      rolledBack.length > 0 ? `; rolled back ${rolledBack.join(', ')}` : ''
    }`;
    const full = await this.#fullReload(next, `${what}; fell back to a full reload`, changed);
    if (full.outcome === 'rejected') {
      return { ...full, modules: applied.reports, error: `${what}; then ${full.error}` };
    }
    // Every changed module was rebuilt; keep the failure each one recovered from.
    const failures = new Map(applied.reports.map((r) => [r.name, r.error]));
    return { ...full, modules: full.modules.map((m) => _withError(m, failures.get(m.name))) };
  }

  /** Build-then-swap is the target's contract; here: bound it, and turn a failure into a rejection. */
  async #fullReload(next: C, reason: string, changed: readonly string[]): Promise<Decision> {
    const started = performance.now();
    const spec = {
      ms: this.#opts.reloadTimeoutMs,
      step: 'full reload',
      fix: 'raise reloadTimeoutMs, or make fullReload stop when ctx.signal aborts',
    };
    try {
      await withTimeout(spec, (signal) => this.#opts.target.fullReload(next, { signal }));
    } catch (error) {
      const failure =
        error instanceof ReloadError
          ? error
          : new ReloadError(
              'CFG_RELOAD_FAILED',
              `full reload failed: ${errorMessage(error)}; the previous module set keeps running`,
              { cause: error },
            );
      return _rejected(failure);
    }
    const durationMs = performance.now() - started;
    return {
      outcome: 'full',
      reason,
      modules: changed.map((name) => ({ name, status: 'rebuilt', durationMs })),
    };
  }

  /** Records a finished result, moves `current` on success, logs, and tells listeners. */
  #settle(result: ReloadResult, snapshot: ConfigSnapshot<C>): ReloadResult {
    const { logger } = this.#opts;
    this.#counts[result.outcome]++;
    // Delivered again, what runs already (same hash and version): nothing happened to tell anyone.
    const repeat = result.outcome === 'noop' && _sameChange(snapshot, this.#current);
    const facts = {
      outcome: result.outcome,
      fromHash: result.fromHash,
      toHash: result.toHash,
      source: result.source,
    };
    switch (result.outcome) {
      case 'noop':
      case 'partial':
      case 'full':
        this.#lastResult = result;
        this.#degraded = false;
        if (snapshot.hash !== this.#current.hash || _adoptsVersion(this.#current, snapshot)) {
          this.#replaceCurrent(snapshot);
          this.#appliedBy = result;
        }
        logger[result.outcome === 'noop' ? 'debug' : 'info'](
          { ...facts, reason: result.reason, durationMs: result.durationMs },
          'config change applied',
        );
        // The caller (say, an API write whose poller delivered it first) learns what applying it did.
        if (repeat) return this.#appliedBy ?? result;
        this.#events.emit('reload:applied', result);
        break;
      case 'rejected':
        this.#lastResult = result;
        this.#degraded = true;
        this.#lastError = {
          code: result.errorCode ?? 'CFG_RELOAD_FAILED',
          message: result.error ?? 'rejected',
          toHash: result.toHash,
          at: result.at,
        };
        logger.warn(
          {
            ...facts,
            errorCode: result.errorCode,
            error: result.error,
            issues: result.issues,
            modules: result.modules,
          },
          'config change rejected; keeping the last good config',
        );
        this.#events.emit('reload:rejected', result);
        break;
      case 'superseded':
        logger.debug(
          { ...facts, supersededBy: result.supersededBy },
          'config change superseded by a newer one',
        );
        this.#events.emit('reload:superseded', result);
        break;
    }
    this.#events.emit('reload', result);
    return result;
  }

  /** A `superseded` result when `snapshot` is a version older than the newest handed over from its source. */
  #olderThanNewest(snapshot: ConfigSnapshot<C>): ReloadResult | undefined {
    const { version, source, hash } = snapshot;
    const newest = this.#newest;
    if (version === undefined || newest?.version === undefined || newest.source !== source) return undefined;
    if (version >= newest.version) return undefined;
    const { hash: fromHash, version: fromVersion } = this.#current;
    return {
      outcome: 'superseded',
      fromHash,
      fromVersion,
      toHash: hash,
      version,
      source,
      modules: [],
      reason: `version ${version} arrived after version ${newest.version}, which was already handed over`,
      supersededBy: newest.hash,
      durationMs: 0,
      at: new Date(),
    };
  }

  /** Remembers a versioned snapshot as the newest handed over (callers have ruled out older ones). */
  #noteVersion(snapshot: ConfigSnapshot<C>): void {
    if (snapshot.version === undefined) return;
    const { source, version, hash } = snapshot;
    this.#newest = { source, version, hash };
  }

  #replaceCurrent(next: ConfigSnapshot<C>): void {
    const previous = this.#current;
    this.#current = next;
    this.#events.emit('current:update', { previous, current: next });
  }
}

function _resolveOptions<C extends AppConfig>(options: ReloaderOptions<C>) {
  const opts = {
    moduleTimeoutMs: options.moduleTimeoutMs ?? 10_000,
    reloadTimeoutMs: options.reloadTimeoutMs ?? 60_000,
    logger: options.logger ?? SILENT_LOGGER,
    validate: options.validate,
    target: options.target,
  };
  for (const key of ['moduleTimeoutMs', 'reloadTimeoutMs'] as const) {
    if (!(opts[key] > 0)) {
      throw new RangeError(
        `ConfigReloader: ${key} must be a positive number of milliseconds (or Infinity); got ${opts[key]}`,
      );
    }
  }
  if (typeof opts.target?.getModule !== 'function' || typeof opts.target.fullReload !== 'function') {
    throw new TypeError('ConfigReloader: options.target must have getModule(name) and fullReload(next, ctx)');
  }
  return Object.freeze(opts);
}

function _isChangeEvent<C extends AppConfig>(
  change: ConfigChangeEvent<C> | ConfigSnapshot<C>,
): change is ConfigChangeEvent<C> {
  return typeof change === 'object' && change !== null && 'snapshot' in change && 'newHash' in change;
}

/** Programmer errors surface at once, instead of as a confusing rejection later. */
function _checkSnapshot<C extends AppConfig>(snapshot: ConfigSnapshot<C>, where: string): ConfigSnapshot<C> {
  const ok =
    typeof snapshot === 'object' &&
    snapshot !== null &&
    typeof snapshot.hash === 'string' &&
    snapshot.hash !== '' &&
    typeof snapshot.config === 'object' &&
    snapshot.config !== null &&
    Array.isArray(snapshot.config.modules);
  if (!ok) {
    throw new TypeError(
      `ConfigReloader: ${where} must be a ConfigSnapshot ({ config: { modules: [...] }, hash, source, loadedAt })`,
    );
  }
  return snapshot;
}

/** The diff, or the config problem that makes one meaningless (two modules sharing a name). */
function _diff(previous: AppConfig, next: AppConfig): ConfigDiff | ConfigValidationError {
  try {
    return diffConfigs(previous, next);
  } catch (error) {
    if (!(error instanceof DuplicateModuleError)) throw error;
    return new ConfigValidationError([{ path: 'modules', message: error.message }], { cause: error });
  }
}

function _rejected(error: ReloadError | ConfigValidationError): Decision {
  return {
    outcome: 'rejected',
    modules: [],
    error: error.message,
    errorCode: error.code,
    ...(error instanceof ConfigValidationError ? { issues: error.issues } : {}),
  };
}

/**
 * A module's `prepareReconfigure` refused the config. Its own issues (a thrown ConfigValidationError,
 * e.g. from a schema) are kept one by one under the module's issue path, so a caller can show each
 * field: a path relative to the ModuleConfig it was given (`config.port`) is put under it, and one
 * that already starts with it (`modules.api.config.port`, an issue path) is kept.
 */
function _prepareRefusal(name: string, error: unknown): ConfigValidationError {
  const at = moduleIssuePath(name);
  const issues =
    error instanceof ConfigValidationError && error.issues.length > 0
      ? error.issues.map((issue) => ({
          path:
            issue.path === at || issue.path.startsWith(`${at}.`)
              ? issue.path
              : moduleIssuePath(name, issue.path),
          message: `module "${name}" refused: ${issue.message}`,
        }))
      : [{ path: at, message: `module "${name}" refused: ${errorMessage(error)}` }];
  return new ConfigValidationError(issues, { cause: error });
}

/** The same change: equal content under the same stored version (or both unversioned). */
function _sameChange(a: ConfigSnapshot, b: ConfigSnapshot): boolean {
  return a.hash === b.hash && a.version === b.version;
}

/** `next` has the content `current` runs, under another stored version of the same source. */
function _adoptsVersion(current: ConfigSnapshot, next: ConfigSnapshot): boolean {
  return (
    next.hash === current.hash &&
    next.version !== undefined &&
    next.version !== current.version &&
    next.source === current.source
  );
}

function _superseded<C extends AppConfig>(skipped: Waiting<C>, newest: ReloadResult): ReloadResult {
  const { hash, version, source } = skipped.snapshot;
  return {
    outcome: 'superseded',
    fromHash: newest.fromHash,
    fromVersion: newest.fromVersion,
    toHash: hash,
    version,
    source,
    modules: [],
    reason: 'a newer change arrived while a reload was running',
    supersededBy: newest.toHash,
    durationMs: performance.now() - skipped.receivedAt,
    at: new Date(),
  };
}

function _withError(report: ModuleReport, error: string | undefined): ModuleReport {
  return error === undefined ? report : { ...report, error };
}
