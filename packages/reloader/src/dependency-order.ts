import type { ModuleConfig } from '@cfg/source';

export type DependencyOrder<T> = { ok: true; order: T[] } | { ok: false; cycle: string[] };

/**
 * Orders `changed` so every module comes after the modules it depends on, following `dependsOn`
 * through the whole config (a changed module may depend on another through an unchanged one).
 * Stable: modules keep their given order, except that a module's dependencies move just ahead of it
 * (depth-first, post-order). A cycle reachable from a changed module is returned as
 * the path that closes it (`['a', 'b', 'a']`). Unknown names in `dependsOn` are ignored: validation
 * is the place to refuse them.
 *
 * `acyclic`, when given, holds names from which no cycle can be reached in this same dependency
 * graph (the caller keeps it only while the graph stays the same): one changed module named there
 * is its own order at once, without walking its dependencies again; and after a walk that found no
 * cycle, every name walked is added to it.
 */
export function dependencyOrder<T extends { name: string; next: ModuleConfig }>(
  changed: readonly T[],
  modules: readonly ModuleConfig[],
  acyclic?: Set<string>,
): DependencyOrder<T> {
  // Fast path: with no dependencies on any changed module, nothing can reorder them.
  if (changed.every((c) => _depsOf(c.next).length === 0)) return { ok: true, order: [...changed] };
  if (changed.length === 1 && acyclic?.has(changed[0]!.name)) return { ok: true, order: [...changed] };

  const byName = new Map(modules.map((m) => [m.name, m]));
  const changedByName = new Map(changed.map((c) => [c.name, c]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: T[] = [];
  for (const root of changed) {
    const cycle = _visit(root.name, byName, state, (name) => {
      const item = changedByName.get(name);
      if (item) order.push(item);
    });
    if (cycle) return { ok: false, cycle };
  }
  if (acyclic) for (const name of state.keys()) acyclic.add(name);
  return { ok: true, order };
}

/** Iterative depth-first post-order walk (a deep chain must not overflow the stack). */
function _visit(
  root: string,
  byName: ReadonlyMap<string, ModuleConfig>,
  state: Map<string, 'visiting' | 'done'>,
  emit: (name: string) => void,
): string[] | undefined {
  if (state.has(root)) return undefined;
  const stack = [{ name: root, deps: _depsOf(byName.get(root)), next: 0 }];
  state.set(root, 'visiting');
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const dep = top.deps[top.next++];
    if (dep === undefined) {
      stack.pop();
      state.set(top.name, 'done');
      emit(top.name);
      continue;
    }
    const seen = state.get(dep);
    if (seen === 'done' || (seen === undefined && !byName.has(dep))) continue;
    if (seen === 'visiting') {
      const from = stack.findIndex((frame) => frame.name === dep);
      return [...stack.slice(from).map((frame) => frame.name), dep];
    }
    state.set(dep, 'visiting');
    stack.push({ name: dep, deps: _depsOf(byName.get(dep)), next: 0 });
  }
  return undefined;
}

function _depsOf(module: ModuleConfig | undefined): readonly string[] {
  return Array.isArray(module?.dependsOn) ? module.dependsOn : [];
}
