/**
 * Deep equality with JSON semantics, the same notion of "equal" as `hashConfig` in `@cfg/source`:
 * object key order does not matter, members whose value is `undefined` count as absent, array order
 * matters, and `0` equals `-0`. Inputs are JSON-like (what YAML/JSON parsing produces); other objects
 * (Date, Map, class instances) are equal only to themselves.
 */
export function isEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!isEqual(a[i], b[i])) return false;
    return true;
  }
  return isPlainObject(a) && isPlainObject(b) && sameMembers(a, b);
}

/**
 * Compares the own members of two plain objects with `isEqual`, leaving out the keys in `skip`
 * (compared elsewhere, under their own rules).
 */
export function sameMembers(left: object, right: object, skip?: ReadonlySet<string>): boolean {
  const a = left as Record<string, unknown>;
  const b = right as Record<string, unknown>;
  let pending = 0;
  for (const key of Object.keys(a)) {
    const value = a[key];
    if (value === undefined || skip?.has(key)) continue;
    if (!Object.hasOwn(b, key) || !isEqual(value, b[key])) return false;
    pending++;
  }
  // Every defined member of `a` matched one of `b`; `b` must not have more.
  for (const key of Object.keys(b)) {
    if (b[key] !== undefined && !skip?.has(key)) pending--;
  }
  return pending === 0;
}

/** `undefined`, `null` and `{}` all mean "nothing here". */
export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) if (value[key] !== undefined) return false;
  return true;
}

/** Equal, where every kind of "nothing" (missing, `null`, `{}`) is the same nothing. */
export function isEqualOrBothEmpty(a: unknown, b: unknown): boolean {
  return isEqual(a, b) || (isEmpty(a) && isEmpty(b));
}

/**
 * A `{}`-style object. The same test as `@cfg/source`'s `isPlainObject`, written again: this package
 * uses `@cfg/source`'s types only (installing it never installs `yaml`).
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The own member `key` of `value`, never an inherited one (`__proto__`, `constructor`, …). */
export function ownMember(value: unknown, key: string | number): unknown {
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
  return (value as Record<string | number, unknown>)[key];
}
