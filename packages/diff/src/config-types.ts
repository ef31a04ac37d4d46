/**
 * The shapes of `@cfg/source` this package reads, declared here so that installing `@cfg/diff`
 * installs nothing of `@cfg/source` (nor its `yaml`): TypeScript types are structural, so a
 * `@cfg/source` `AppConfig` is one of these and back (`test/config-types.test.ts` checks both ways).
 */

/** One module of an application: `@cfg/source`'s `ModuleConfig`. */
export interface ModuleConfig {
  name: string;
  type: string;
  config?: Record<string, unknown>;
  /** Names of modules that must be (re)configured before this one. */
  dependsOn?: string[];
}

/** A whole application config: `@cfg/source`'s `AppConfig`. */
export interface AppConfig {
  modules: ModuleConfig[];
  [section: string]: unknown;
}

/** Which key names hold secrets: `@cfg/source`'s `SecretKeyPattern` (a RegExp, a test, or `false` for none). */
export type SecretKeyPattern = RegExp | ((key: string) => boolean) | false;
