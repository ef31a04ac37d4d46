/** A `{}`-style object: not an array, not null, not a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The JSON Merge Patch (RFC 7386) that turns `from` into `to` — `mergePatch(from, patch)` deep-equals
 * `to` — and that sets every key of `to` explicitly, so it keeps winning for those keys when `from`
 * changes later. Keys only `from` has become `null` (deleted). Plain objects on both sides recurse,
 * so a nested key the base has and `to` lacks is deleted too. `to` must not contain `null` values
 * (a merge patch cannot express them). Inputs are not modified.
 */
export function overridePatch(from: unknown, to: Record<string, unknown>): Record<string, unknown> {
  const base = isPlainObject(from) ? from : {};
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(to)) {
    const next = to[key];
    _define(
      patch,
      key,
      isPlainObject(next) && isPlainObject(base[key]) ? overridePatch(base[key], next) : next,
    );
  }
  for (const key of Object.keys(base)) if (!Object.hasOwn(to, key)) _define(patch, key, null);
  return patch;
}

/** An own data property even for `__proto__`, so no key can replace the result's prototype. */
function _define(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
