import type { ModuleConfig } from './config-types.js';
import type { DiffRedaction } from './redact.js';

/** What happened at one location: a value appeared, disappeared, or was replaced by another. */
export type PathOp = 'add' | 'remove' | 'replace';

/**
 * One change inside a module, located by an RFC 6901 JSON Pointer relative to the module
 * (`/config/limits/rps`, `/type`, `/dependsOn/0`). `previous` is present unless `op` is `add`;
 * `next` is present unless `op` is `remove`. Values are the caller's own objects, not copies.
 */
export interface PathChange {
  op: PathOp;
  path: string;
  previous?: unknown;
  next?: unknown;
  /**
   * Set by a redacted diff (`redact` option, `redactDiff`) when the value itself is secret: its
   * `previous`/`next` are the mask, and formatters print that it changed, not what.
   */
  secret?: true;
}

/** A module present on both sides (matched by `name`) whose content differs. */
export interface ModuleChange {
  name: string;
  previous: ModuleConfig;
  next: ModuleConfig;
  /** `type` differs: the module must be rebuilt, not reconfigured. */
  typeChanged: boolean;
  /** The *set* of `dependsOn` names differs (order alone is not a change): rebuild. */
  dependsOnChanged: boolean;
  /** Every difference, in document order; never empty for JSON-like modules. */
  paths: PathChange[];
}

/**
 * Which modules changed. `added`, `modified` and `unchanged` follow the order of the next config;
 * `removed` follows the order of the previous one.
 */
export interface ModuleDiff {
  added: ModuleConfig[];
  removed: ModuleConfig[];
  modified: ModuleChange[];
  unchanged: string[];
}

/** Everything that differs between two configs. */
export interface ConfigDiff {
  modules: ModuleDiff;
  /** Top-level keys other than `modules` whose content differs, sorted. */
  sections: string[];
  /** `true` when nothing at all differs: no module added, removed or modified, no section changed. */
  isEmpty: boolean;
}

/** Options of `diffConfigs` and `diffModules`. */
export interface DiffOptions {
  /**
   * Masks secret values in the result (see `redactDiff`): for a diff that is shown, not applied.
   * @defaultValue none: values are the caller's own
   */
  redact?: DiffRedaction;
}
