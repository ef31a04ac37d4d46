import type { ReferenceSite } from './find.js';

/**
 * A copy of `root` with each site's string replaced by `values[i]`. Only the objects and arrays on
 * the way to a site are copied; everything else is shared with `root`, which is never modified
 * (a source hands the same parsed object out again for the same text). Keys such as `__proto__`
 * stay ordinary own data.
 */
export function withStrings<T>(root: T, sites: readonly ReferenceSite[], values: readonly string[]): T {
  if (sites.length === 0) return root;
  type Container = Record<string | number, unknown>;
  const copies = new Map<object, Container>();
  const copyOf = (value: object): Container => {
    let copy = copies.get(value);
    if (!copy) {
      copy = Array.isArray(value) ? ([...value] as unknown as Container) : _copyObject(value as Container);
      copies.set(value, copy);
    }
    return copy;
  };
  const top = copyOf(root as object);
  sites.forEach((site, i) => {
    let original = root as Record<string | number, unknown>;
    let copy = top;
    const last = site.path.length - 1;
    for (let depth = 0; depth < last; depth++) {
      const key = site.path[depth]!;
      original = original[key] as Record<string | number, unknown>;
      const child = copyOf(original);
      _set(copy, key, child);
      copy = child;
    }
    _set(copy, site.path[last]!, values[i]);
  });
  return top as T;
}

function _copyObject(value: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = Object.getPrototypeOf(value) === null ? Object.create(null) : {};
  for (const key of Object.keys(value)) _set(copy, key, value[key]);
  return copy;
}

function _set(target: Record<string | number, unknown>, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
