import {
  type AppConfig,
  type ConfigSnapshot,
  hashConfig,
  type LogFn,
  type Logger,
  type ModuleConfig,
} from '@cfg/source';
import { type Mock, vi } from 'vitest';
import type { Reconfigurable, ReconfigureContext, ReloadTarget } from '../src/types.js';

export function mod(
  name: string,
  config: Record<string, unknown> = {},
  extra: Partial<ModuleConfig> = {},
): ModuleConfig {
  return { name, type: 'worker', config, ...extra };
}

export function app(modules: ModuleConfig[], sections: Record<string, unknown> = {}): AppConfig {
  return { modules, ...sections };
}

export function snapshot<C extends AppConfig>(
  config: C,
  extra: Partial<ConfigSnapshot<C>> = {},
): ConfigSnapshot<C> {
  return { config, hash: hashConfig(config), source: 'test', loadedAt: new Date(), ...extra };
}

/** A logger whose calls can be asserted on. */
export function spyLogger(): { [K in keyof Logger]: Mock<LogFn> } {
  return { debug: vi.fn<LogFn>(), info: vi.fn<LogFn>(), warn: vi.fn<LogFn>(), error: vi.fn<LogFn>() };
}

/** Counts calls into the target that are running at the same time; `max` must stay 1. */
export class Overlap {
  active = 0;
  max = 0;
  async around<T>(work: () => Promise<T>): Promise<T> {
    this.active++;
    this.max = Math.max(this.max, this.active);
    try {
      return await work();
    } finally {
      this.active--;
    }
  }
}

/** Lets other queued work run, so overlapping calls would actually overlap. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Never settles; records that its signal was aborted. */
export function hang(signal: AbortSignal, onAbort: () => void): Promise<never> {
  signal.addEventListener('abort', onAbort, { once: true });
  return new Promise<never>(() => {});
}

/** What a fake target and its modules record about the calls they receive. */
export interface CallRecord {
  /** `name.method(config)` and `fullReload(names)`, in call order. */
  log: string[];
  /** The objects passed in (module configs, full configs), in call order, for identity checks. */
  inputs: object[];
  overlap: Overlap;
}

/**
 * A Reconfigurable module that logs every call as `name.method(value)` into a shared log. Set `fail`,
 * `refuse` or `hangs` to make the next calls throw, refuse in `prepareReconfigure`, or never finish.
 */
export class FakeModule implements Reconfigurable {
  config: ModuleConfig;
  fail: Error | undefined;
  refuse: Error | undefined;
  hangs = false;
  abortedSignals: AbortSignal[] = [];

  constructor(
    config: ModuleConfig,
    private readonly calls: CallRecord,
  ) {
    this.config = config;
  }

  prepareReconfigure(next: ModuleConfig): void {
    this.calls.log.push(`${next.name}.prepare(${JSON.stringify(next.config)})`);
    if (this.refuse) throw this.refuse;
  }

  reconfigure(next: ModuleConfig, ctx: ReconfigureContext): Promise<void> {
    return this.calls.overlap.around(async () => {
      this.calls.log.push(`${next.name}.reconfigure(${JSON.stringify(next.config)})`);
      this.calls.inputs.push(next);
      if (this.hangs) await hang(ctx.signal, () => this.abortedSignals.push(ctx.signal));
      await tick();
      if (this.fail) throw this.fail;
      this.config = next;
    });
  }
}

/** A module without `reconfigure`: it can only be rebuilt. */
export class PlainModule {
  constructor(public config: ModuleConfig) {}
}

export interface FakeTargetOptions {
  /** Which modules are built as `FakeModule` (the rest as `PlainModule`). Default: all. */
  reconfigurable?: (m: ModuleConfig) => boolean;
}

/**
 * A target that builds modules from a config and logs every call. `fullReload` builds the new set
 * first and swaps only when it completed, as the contract requires.
 */
export class FakeTarget implements ReloadTarget, CallRecord {
  readonly log: string[] = [];
  readonly inputs: object[] = [];
  readonly overlap = new Overlap();
  modules: Map<string, FakeModule | PlainModule>;
  fullReloadFails: Error | undefined;
  fullReloadHangs = false;
  fullReloadSignals: AbortSignal[] = [];
  readonly #options: FakeTargetOptions;

  constructor(initial: AppConfig, options: FakeTargetOptions = {}) {
    this.#options = options;
    this.modules = this.#build(initial);
  }

  getModule(name: string): unknown {
    return this.modules.get(name);
  }

  fake(name: string): FakeModule {
    const module = this.modules.get(name);
    if (!(module instanceof FakeModule)) throw new Error(`${name} is not a FakeModule`);
    return module;
  }

  fullReload(next: AppConfig, ctx: { signal: AbortSignal }): Promise<void> {
    return this.overlap.around(async () => {
      this.log.push(`fullReload(${next.modules.map((m) => m.name).join(',')})`);
      this.inputs.push(next);
      this.fullReloadSignals.push(ctx.signal);
      if (this.fullReloadHangs) await hang(ctx.signal, () => {});
      await tick();
      if (this.fullReloadFails) throw this.fullReloadFails;
      const built = this.#build(next);
      this.modules = built;
    });
  }

  #build(config: AppConfig): Map<string, FakeModule | PlainModule> {
    const reconfigurable = this.#options.reconfigurable ?? (() => true);
    return new Map(
      config.modules.map((m) => [m.name, reconfigurable(m) ? new FakeModule(m, this) : new PlainModule(m)]),
    );
  }
}

/** Resolves with the next payload of `event`. */
export function nextEvent<T>(on: (listener: (payload: T) => void) => () => void): Promise<T> {
  return new Promise((resolve) => {
    const off = on((payload) => {
      off();
      resolve(payload);
    });
  });
}
