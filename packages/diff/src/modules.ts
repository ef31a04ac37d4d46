import type { AppConfig, ModuleConfig } from './config-types.js';
import { sameDependencies } from './dependencies.js';
import { isEqualOrBothEmpty, sameMembers } from './equal.js';
import { DuplicateModuleError } from './errors.js';
import { modulePaths } from './paths.js';
import { redactModuleDiff } from './redact.js';
import type { DiffOptions, ModuleChange, ModuleDiff } from './types.js';

// Members with their own comparison rules; everything else on a module is compared as JSON.
const COMPARED_APART: ReadonlySet<string> = new Set(['config', 'dependsOn']);

/**
 * Which modules were added, removed, modified or left alone, matching modules by `name` (so moving a
 * module in the list is not a change). `added`, `modified` and `unchanged` follow the next config's
 * order; `removed` follows the previous config's order.
 *
 * A module counts as modified when anything on it differs, with JSON semantics (key order and
 * `undefined` members never matter). Two exceptions, both documented on `ModuleChange`: `dependsOn`
 * is a set (order is not a change; missing = `null` = `[]`), and a missing, `null` or `{}` `config`
 * are the same empty config. O(n): one map lookup and one cheap deep-equality check per module;
 * only modules that differ are walked again to list their `paths`.
 *
 * With `redact`, secret values are masked (`redactModuleDiff`): a diff to show, not to apply.
 *
 * @throws {DuplicateModuleError} when two modules on one side share a name.
 */
export function diffModules(previous: AppConfig, next: AppConfig, options?: DiffOptions): ModuleDiff {
  const result = _inPlace(previous.modules, next.modules) ?? _byNames(previous.modules, next.modules);
  return options?.redact ? redactModuleDiff(result, previous, next, options.redact) : result;
}

/**
 * The diff when both lists name the same modules in the same places (an edit of module contents:
 * the common case, and then most modules are the very same objects, as an incremental parse leaves
 * them): one pass, one set of names. Undefined when a place holds another name, or a name repeats:
 * `_byNames` then decides (and throws for the side with the repeat, as always).
 */
function _inPlace(previous: readonly ModuleConfig[], next: readonly ModuleConfig[]): ModuleDiff | undefined {
  if (previous.length !== next.length) return undefined;
  const result: ModuleDiff = { added: [], removed: [], modified: [], unchanged: [] };
  const seen = new Set<string>();
  for (let i = 0; i < next.length; i++) {
    const old = previous[i]!;
    const module = next[i]!;
    if (old.name !== module.name || seen.has(module.name)) return undefined;
    seen.add(module.name);
    if (_sameModule(old, module)) result.unchanged.push(module.name);
    else result.modified.push(_moduleChange(old, module));
  }
  return result;
}

function _byNames(previous: readonly ModuleConfig[], next: readonly ModuleConfig[]): ModuleDiff {
  const before = _byName(previous);
  const result: ModuleDiff = { added: [], removed: [], modified: [], unchanged: [] };
  const seen = new Set<string>();
  for (const module of next) {
    if (seen.has(module.name)) throw new DuplicateModuleError(module.name, 'next');
    seen.add(module.name);
    const old = before.get(module.name);
    if (old === undefined) result.added.push(module);
    else if (_sameModule(old, module)) result.unchanged.push(module.name);
    else result.modified.push(_moduleChange(old, module));
  }
  for (const module of previous) {
    if (!seen.has(module.name)) result.removed.push(module);
  }
  return result;
}

function _byName(modules: readonly ModuleConfig[]): Map<string, ModuleConfig> {
  const byName = new Map<string, ModuleConfig>();
  for (const module of modules) {
    if (byName.has(module.name)) throw new DuplicateModuleError(module.name, 'previous');
    byName.set(module.name, module);
  }
  return byName;
}

function _sameModule(a: ModuleConfig, b: ModuleConfig): boolean {
  return (
    a === b ||
    (a.type === b.type &&
      sameDependencies(a.dependsOn, b.dependsOn) &&
      isEqualOrBothEmpty(a.config, b.config) &&
      sameMembers(a, b, COMPARED_APART))
  );
}

function _moduleChange(previous: ModuleConfig, next: ModuleConfig): ModuleChange {
  return {
    name: next.name,
    previous,
    next,
    typeChanged: previous.type !== next.type,
    dependsOnChanged: !sameDependencies(previous.dependsOn, next.dependsOn),
    paths: modulePaths(previous, next),
  };
}
