import type { FullReloadContext, ReloadTarget } from '@cfg/reloader';
import { type AppConfig, ConfigValidationError, type Logger, type ValidationIssue } from '@cfg/source';
import { ModuleSet } from './module-set.js';
import { ModuleRegistry } from './registry.js';
import type { ModuleInstance, PreparedModule } from './types.js';
import { type BuildOrder, prepareAppConfig, type ValidationOutcome, validateAppConfig } from './validate.js';

export interface EngineOptions {
  /** @defaultValue the built-in module types */
  registry?: ModuleRegistry;
  /** Monotonic clock in ms, handed to modules (rate limiters). @defaultValue `performance.now` */
  now?: () => number;
  /** How long a replaced module set waits for its in-flight requests before it is stopped. @defaultValue 5000 */
  drainTimeoutMs?: number;
  logger?: Logger;
}

interface ResolvedEngineOptions {
  now: () => number;
  drainTimeoutMs: number;
  logger: Logger | undefined;
}

/**
 * The running application: one `ModuleSet` at a time, behind a reference that a full reload swaps
 * atomically. Implements the reloader's `ReloadTarget`.
 */
export class Engine implements ReloadTarget {
  readonly registry: ModuleRegistry;
  readonly #opts: ResolvedEngineOptions;
  readonly #retiring = new Set<Promise<void>>();
  /**
   * Each config's validation, once: the reloader checks a change, then a full reload builds from
   * that check (an API write is checked before it is stored, then applied). Configs are read-only.
   */
  readonly #checked = new WeakMap<AppConfig, ValidationOutcome>();
  #current: ModuleSet;
  /** The running modules' dependency graph and build order (a partial reload never changes it). */
  #order: BuildOrder;
  #closed = false;

  private constructor(
    initial: ModuleSet,
    prepared: readonly PreparedModule[],
    registry: ModuleRegistry,
    opts: ResolvedEngineOptions,
  ) {
    this.#current = initial;
    this.#order = _buildOrder(initial.config, prepared);
    this.registry = registry;
    this.#opts = opts;
  }

  /** Validates, builds and starts the first module set. Throws `ConfigValidationError` for a bad config. */
  static async create(config: AppConfig, userOpts: EngineOptions = {}): Promise<Engine> {
    const { registry = new ModuleRegistry(), logger, ...rest } = userOpts;
    const opts: ResolvedEngineOptions = {
      now: () => performance.now(),
      drainTimeoutMs: 5000,
      ...rest,
      logger,
    };
    const prepared = prepareAppConfig(config, registry);
    const set = await ModuleSet.build(config, prepared, {
      signal: new AbortController().signal,
      now: opts.now,
      logger,
    });
    return new Engine(set, prepared, registry, opts);
  }

  /** The module set serving now. Take it once per request and use that reference throughout. */
  get modules(): ModuleSet {
    return this.#current;
  }

  getModule(name: string): ModuleInstance | undefined {
    return this.#current.get(name);
  }

  /** Every problem with `config`, without building anything (empty: valid). */
  validate(config: AppConfig): ValidationIssue[] {
    const outcome = this.#check(config);
    return outcome.ok ? [] : outcome.issues;
  }

  /**
   * Builds and starts the whole new set, then swaps the reference. The old set keeps serving until
   * the swap, and is stopped afterwards, once its in-flight requests finished. If validation or the
   * build fails (or `signal` aborts), nothing changes and the error is thrown.
   */
  async fullReload(next: AppConfig, { signal }: FullReloadContext): Promise<void> {
    if (this.#closed) throw new Error('the engine is closed');
    const outcome = this.#check(next);
    if (!outcome.ok) throw new ConfigValidationError(outcome.issues, { subject: 'config' });
    const prepared = outcome.modules;
    const set = await ModuleSet.build(next, prepared, {
      signal,
      now: this.#opts.now,
      logger: this.#opts.logger,
    });
    if (signal.aborted || this.#closed) {
      await set.stop(0);
      signal.throwIfAborted();
      throw new Error('the engine was closed during a full reload');
    }
    const previous = this.#current;
    this.#current = set;
    this.#order = _buildOrder(next, prepared);
    this.#retire(previous);
  }

  /** Stops the current set and waits for replaced ones still draining. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#current.stop(this.#opts.drainTimeoutMs), ...this.#retiring]);
  }

  #check(config: AppConfig): ValidationOutcome {
    let outcome = this.#checked.get(config);
    if (!outcome) {
      outcome = validateAppConfig(config, this.registry, this.#order);
      this.#checked.set(config, outcome);
    }
    return outcome;
  }

  #retire(set: ModuleSet): void {
    const stopping = set.stop(this.#opts.drainTimeoutMs).finally(() => this.#retiring.delete(stopping));
    this.#retiring.add(stopping);
  }
}

function _buildOrder(config: AppConfig, prepared: readonly PreparedModule[]): BuildOrder {
  return { modules: config.modules, order: prepared.map((p) => p.module.name) };
}
