import type { Reconfigurable } from '@cfg/reloader';
import type { ModuleConfig } from '@cfg/source';
import { parseModuleConfig } from './module-config.js';
import type { ModuleContext, ModuleInstance, ModuleType } from './types.js';

/**
 * Base class of the Reconfigurable module types: `prepareReconfigure` checks the config with the
 * type's schema (no side effects), `reconfigure` hands the typed config to `apply`. Both take the
 * parse the engine's validation made of that module config (`parseModuleConfig` parses a module
 * config object once). `apply` must not throw after changing anything, so a failed reconfigure
 * leaves the old config.
 */
export abstract class InPlaceModule<C> implements ModuleInstance, Reconfigurable {
  readonly name: string;
  readonly type: string;
  readonly #moduleType: ModuleType<C>;
  #config: C;

  constructor(moduleType: ModuleType<C>, ctx: ModuleContext<C>) {
    this.name = ctx.name;
    this.type = moduleType.type;
    this.#moduleType = moduleType;
    this.#config = ctx.config;
  }

  /** The config this instance runs on now. */
  get config(): C {
    return this.#config;
  }

  prepareReconfigure(next: ModuleConfig): C {
    return parseModuleConfig(this.#moduleType, next);
  }

  reconfigure(next: ModuleConfig): void {
    const config = parseModuleConfig(this.#moduleType, next);
    this.apply(config, this.#config);
    this.#config = config;
  }

  /** Takes the new config in place; the default only swaps `config`. */
  protected apply(_next: C, _previous: C): void {}
}
