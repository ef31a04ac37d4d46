import { basicAuthType } from './modules/basic-auth.js';
import { featureFlagsType } from './modules/feature-flags.js';
import { greeterType } from './modules/greeter.js';
import { rateLimiterType } from './modules/rate-limiter.js';
import { staticResponseType } from './modules/static-response.js';
import { welcomeType } from './modules/welcome.js';
import type { ModuleType } from './types.js';

/** The module types a config can name, in the order the docs list them. */
export const BUILTIN_MODULE_TYPES: readonly ModuleType[] = [
  greeterType,
  rateLimiterType,
  featureFlagsType,
  staticResponseType,
  welcomeType,
  basicAuthType,
] as readonly ModuleType[];

/** The module types the engine can instantiate, by `type` name. */
export class ModuleRegistry {
  readonly #types = new Map<string, ModuleType>();

  /** @param types defaults to the built-in types */
  constructor(types: readonly ModuleType[] = BUILTIN_MODULE_TYPES) {
    for (const t of types) {
      if (this.#types.has(t.type)) throw new Error(`module type "${t.type}" is registered twice`);
      this.#types.set(t.type, t);
    }
  }

  get(type: string): ModuleType | undefined {
    return this.#types.get(type);
  }

  list(): ModuleType[] {
    return [...this.#types.values()];
  }
}
