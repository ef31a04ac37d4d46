import type { AppConfig } from './types.js';

/**
 * Identity helper for configs written in TypeScript: checks the object against `AppConfig` (or your
 * own extension of it) and keeps its literal types, e.g. `modules[0].name` stays `'http'`.
 */
export function defineConfig<const C extends AppConfig>(config: C): C {
  return config;
}

/**
 * A `defineConfig` bound to your own config type (c12's `createDefineConfig`), so the editor checks
 * your sections: `export const defineAppConfig = createDefineConfig<MyConfig>()`.
 */
export function createDefineConfig<C extends AppConfig>(): <const T extends C>(config: T) => T {
  return (config) => config;
}
