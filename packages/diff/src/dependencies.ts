import type { PathChange } from './types.js';

/*
 * `dependsOn` is a set of module names: it says *what* must be configured first, and the reloader
 * derives the order from the graph, not from the list. So reordering the list is not a change
 * (neither for `dependsOnChanged` nor in `paths`), and a missing, `null` or empty list are the same.
 */

/** The same set of names on both sides. */
export function sameDependencies(previous: unknown, next: unknown): boolean {
  const before = _names(previous);
  const after = _names(next);
  if (before.length === after.length && before.every((name, i) => name === after[i])) return true;
  const left = new Set(before);
  const right = new Set(after);
  return left.size === right.size && [...left].every((name) => right.has(name));
}

/**
 * One `remove` per name that left the set (at its index in the previous list), then one `add` per
 * name that joined it (at its index in the next list).
 */
export function dependencyChanges(previous: unknown, next: unknown): PathChange[] {
  const before = _names(previous);
  const after = _names(next);
  const kept = new Set(after);
  const had = new Set(before);
  const changes: PathChange[] = [];
  before.forEach((name, i) => {
    if (!kept.has(name)) changes.push({ op: 'remove', path: `/dependsOn/${i}`, previous: name });
  });
  after.forEach((name, i) => {
    if (!had.has(name)) changes.push({ op: 'add', path: `/dependsOn/${i}`, next: name });
  });
  return changes;
}

// A lone non-list value counts as a set of one, so a malformed `dependsOn` is never silently equal.
function _names(value: unknown): readonly unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
