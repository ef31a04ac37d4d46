import type { ConfigDiff, ModuleChange } from '@cfg/diff';
import type { AppConfig } from '@cfg/source';
import { dependencyOrder } from './dependency-order.js';

/**
 * What to do with a change:
 * - `noop`: nothing differs that a module could see;
 * - `partial`: reconfigure `modules` in place, in this (dependency) order;
 * - `full`: rebuild everything with `target.fullReload`.
 */
export type ReloadPlan =
  | { kind: 'noop'; reason: string }
  | { kind: 'partial'; reason: string; modules: ModuleChange[] }
  | { kind: 'full'; reason: string };

/**
 * Decides how to apply `diff` (pure: `canReconfigure` answers whether the live module `name` is
 * `Reconfigurable`). Full when any section changed, any module was added or removed, or any modified
 * module changed its `type`, its `dependsOn`, anything outside `config`, or cannot be reconfigured in
 * place; also when the changed modules' dependencies form a cycle. `reason` names every cause.
 * `acyclic`: `dependencyOrder`'s memo of names that reach no cycle, for the dependency graph of
 * the previous config, which a partial plan's next config shares (no module added or removed, no
 * `dependsOn` changed).
 */
export function planReload(
  diff: ConfigDiff,
  next: AppConfig,
  canReconfigure: (name: string) => boolean,
  acyclic?: Set<string>,
): ReloadPlan {
  if (diff.isEmpty) return { kind: 'noop', reason: 'no effective change' };

  const { added, removed, modified } = diff.modules;
  const causes: string[] = [];
  if (diff.sections.length > 0) causes.push(`${_plural('section', diff.sections)} changed`);
  if (added.length > 0) causes.push(`${_plural('module', added.map(_name))} added`);
  if (removed.length > 0) causes.push(`${_plural('module', removed.map(_name))} removed`);
  for (const change of modified) {
    const cause = _rebuildCause(change, canReconfigure);
    if (cause) causes.push(cause);
  }
  if (causes.length > 0) return { kind: 'full', reason: _join(causes) };

  const ordered = dependencyOrder(modified, next.modules, acyclic);
  if (!ordered.ok) return { kind: 'full', reason: `dependency cycle: ${ordered.cycle.join(' → ')}` };
  return {
    kind: 'partial',
    reason: `reconfigure in place: ${_quoted(ordered.order.map(_name))}`,
    modules: ordered.order,
  };
}

/** Why this modified module cannot be reconfigured in place, or `undefined` when it can. */
function _rebuildCause(change: ModuleChange, canReconfigure: (name: string) => boolean): string | undefined {
  const name = JSON.stringify(change.name);
  if (change.typeChanged)
    return `module ${name} changed type (${change.previous.type} → ${change.next.type})`;
  if (change.dependsOnChanged) return `module ${name} changed dependsOn`;
  const outside = change.paths.find((p) => !_isInPlacePath(p.path))?.path;
  if (outside) return `module ${name} changed ${outside} (only config changes apply in place)`;
  if (!canReconfigure(change.name)) return `module ${name} is not Reconfigurable`;
  return undefined;
}

function _isInPlacePath(path: string): boolean {
  return path === '/config' || path.startsWith('/config/');
}

const MAX_NAMES = 5;

function _plural(noun: string, names: readonly string[]): string {
  return `${noun}${names.length === 1 ? '' : 's'} ${_quoted(names)}`;
}

/** `"a", "b"`, cut after a few names so a huge change still gives a readable reason. */
function _quoted(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMES).map((n) => JSON.stringify(n));
  const rest = names.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
}

function _join(causes: readonly string[]): string {
  const shown = causes.slice(0, MAX_NAMES);
  const rest = causes.length - shown.length;
  return rest > 0 ? `${shown.join('; ')}; and ${rest} more` : shown.join('; ');
}

function _name(module: { name: string }): string {
  return module.name;
}
