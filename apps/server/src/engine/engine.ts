import type { FullReloadContext, ReloadTarget } from '@cfg/reloader';
import type { AppConfig, Logger, ValidationIssue } from '@cfg/source';
import { ModuleSet } from './module-set.js';
import { ModuleRegistry } from './registry.js';
import type { ModuleInstance } from './types.js';
import { prepareAppConfig, validateAppConfig } from './validate.js';

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
  #current: ModuleSet;
  #closed = false;

  private constructor(initial: ModuleSet, registry: ModuleRegistry, opts: ResolvedEngineOptions) {
    this.#current = initial;
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
    return new Engine(set, registry, opts);
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
    const outcome = validateAppConfig(config, this.registry);
    return outcome.ok ? [] : outcome.issues;
  }

  /**
   * Builds and starts the whole new set, then swaps the reference. The old set keeps serving until
   * the swap, and is stopped afterwards, once its in-flight requests finished. If validation or the
   * build fails (or `signal` aborts), nothing changes and the error is thrown.
   */
  async fullReload(next: AppConfig, { signal }: FullReloadContext): Promise<void> {
    if (this.#closed) throw new Error('the engine is closed');
    const prepared = prepareAppConfig(next, this.registry);
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
    this.#retire(previous);
  }

  /** Stops the current set and waits for replaced ones still draining. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#current.stop(this.#opts.drainTimeoutMs), ...this.#retiring]);
  }

  #retire(set: ModuleSet): void {
    const stopping = set.stop(this.#opts.drainTimeoutMs).finally(() => this.#retiring.delete(stopping));
    this.#retiring.add(stopping);
  }
}
