import type { AppConfig, Logger } from '@cfg/source';
import type { AuthDecision, LimitDecision, ModuleInstance, PreparedModule } from './types.js';

export interface BuildContext {
  signal: AbortSignal;
  now: () => number;
  logger?: Logger;
}

const ALLOWED = { allowed: true } as const satisfies LimitDecision & AuthDecision;

/**
 * One built, started set of module instances and the routes they serve. Immutable once built:
 * a full reload builds a new set and swaps it in. A request takes the set once (`acquire`) and
 * finishes on it; `stop` waits for those requests before stopping the instances.
 */
export class ModuleSet {
  readonly config: AppConfig;
  readonly #modules: ReadonlyMap<string, ModuleInstance>;
  readonly #routes: ReadonlyMap<string, ModuleInstance>;
  readonly #limiters: readonly ModuleInstance[];
  readonly #guards: readonly ModuleInstance[];
  readonly #logger: Logger | undefined;
  #inFlight = 0;
  #onDrained: (() => void) | undefined;
  #stopping: Promise<void> | undefined;

  private constructor(
    config: AppConfig,
    modules: Map<string, ModuleInstance>,
    routes: Map<string, ModuleInstance>,
    logger?: Logger,
  ) {
    this.config = config;
    this.#modules = modules;
    this.#routes = routes;
    this.#limiters = [...modules.values()].filter((m) => typeof m.limit === 'function');
    this.#guards = [...modules.values()].filter((m) => typeof m.authorize === 'function');
    this.#logger = logger;
  }

  /**
   * Creates every module in dependency order, then starts them in that order. If anything throws
   * (or `signal` aborts), the modules already started are stopped and the error is rethrown:
   * a half-built set never serves.
   */
  static async build(
    config: AppConfig,
    prepared: readonly PreparedModule[],
    ctx: BuildContext,
  ): Promise<ModuleSet> {
    const modules = new Map<string, ModuleInstance>();
    const routes = new Map<string, ModuleInstance>();
    for (const { module, type, config: moduleConfig } of prepared) {
      ctx.signal.throwIfAborted();
      const deps = new Map((module.dependsOn ?? []).map((d) => [d, modules.get(d)!]));
      const instance = type.create({
        name: module.name,
        config: moduleConfig,
        deps,
        now: ctx.now,
        logger: ctx.logger,
      });
      modules.set(module.name, instance);
      for (const route of type.routes(moduleConfig)) routes.set(route, instance);
    }
    const set = new ModuleSet(config, modules, routes, ctx.logger);
    const started: ModuleInstance[] = [];
    try {
      for (const instance of modules.values()) {
        ctx.signal.throwIfAborted();
        await instance.start?.(ctx.signal);
        started.push(instance);
      }
    } catch (error) {
      await _stopAll(started.reverse(), ctx.logger);
      throw error;
    }
    return set;
  }

  get(name: string): ModuleInstance | undefined {
    return this.#modules.get(name);
  }

  get names(): string[] {
    return [...this.#modules.keys()];
  }

  /** Every GET path a module serves, sorted. */
  get paths(): string[] {
    return [...this.#routes.keys()].sort();
  }

  /** The module that serves GET `path`, if any. */
  route(path: string): ModuleInstance | undefined {
    return this.#routes.get(path);
  }

  /** Asks every limiter that covers `path`; the first one that says no decides. */
  limit(path: string): LimitDecision {
    for (const limiter of this.#limiters) {
      const decision = limiter.limit?.(path);
      if (decision && !decision.allowed) return decision;
    }
    return ALLOWED;
  }

  /** Asks every guard that covers `path` (all must let the request in); the first that says no decides. */
  authorize(path: string, authorization: string | undefined): AuthDecision {
    for (const guard of this.#guards) {
      const decision = guard.authorize?.(path, authorization);
      if (decision && !decision.allowed) return decision;
    }
    return ALLOWED;
  }

  /** Marks one request in flight on this set; call the returned function (once) when it is done. */
  acquire(): () => void {
    this.#inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#inFlight === 0) this.#onDrained?.();
    };
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Waits until the requests in flight on this set finished (at most `drainTimeoutMs`), then stops
   * the instances in reverse build order. Errors from `stop` are logged, never thrown. Idempotent.
   */
  stop(drainTimeoutMs: number): Promise<void> {
    this.#stopping ??= this.#drain(drainTimeoutMs).then(() =>
      _stopAll([...this.#modules.values()].reverse(), this.#logger),
    );
    return this.#stopping;
  }

  #drain(timeoutMs: number): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#logger?.warn(
          { inFlight: this.#inFlight, timeoutMs },
          'module set stopped with requests still in flight',
        );
        resolve();
      }, timeoutMs);
      this.#onDrained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

async function _stopAll(instances: readonly ModuleInstance[], logger: Logger | undefined): Promise<void> {
  for (const instance of instances) {
    try {
      await instance.stop?.();
    } catch (error) {
      logger?.error({ module: instance.name, err: error }, `module "${instance.name}" failed to stop`);
    }
  }
}
