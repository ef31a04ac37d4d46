/** A `{}`-style object: not an array, not null, not a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * How the overlay writes a literal value: `{ $literal: <value> }` stands for `<value>` as is. A merge
 * patch reads `null` as "delete this key", so a PUT body's `null`s are stored as
 * `{ $literal: null }` (and an object that itself has `$literal` as its only key is wrapped too).
 * The overlay merges with `mergeConfigs(…, { literalKey: LITERAL_KEY })`.
 */
export const LITERAL_KEY = '$literal';

/**
 * The JSON Merge Patch (RFC 7386, with `LITERAL_KEY` for literal values) that turns `from` into
 * `to` — merging it onto `from` deep-equals `to` — and that sets every key of `to` explicitly, so it
 * keeps winning for those keys when `from` changes later. Keys only `from` has become `null`
 * (deleted). Plain objects on both sides recurse, so a nested key the base has and `to` lacks is
 * deleted too. `null`s in `to` are kept (as literals): whatever a PUT body holds is what runs.
 * Inputs are not modified.
 */
export function overridePatch(from: unknown, to: Record<string, unknown>): Record<string, unknown> {
  const base = isPlainObject(from) ? from : {};
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(to)) {
    const next = to[key];
    const merges = isPlainObject(next) && !_looksLiteral(next) && isPlainObject(base[key]);
    _define(patch, key, merges ? overridePatch(base[key], next as Record<string, unknown>) : _escaped(next));
  }
  for (const key of Object.keys(base)) if (!Object.hasOwn(to, key)) _define(patch, key, null);
  // A patch that would itself read as a literal marker (its one key is `$literal`): `to`, as is.
  return _looksLiteral(patch) ? { [LITERAL_KEY]: to } : patch;
}

/** `value` written so that merging it onto anything gives `value` back exactly. */
function _escaped(value: unknown): unknown {
  if (value === null || _looksLiteral(value)) return { [LITERAL_KEY]: value };
  if (!isPlainObject(value)) return value; // scalars and arrays replace as they are
  // Merged key by key onto nothing: each key's value is escaped the same way.
  const escaped: Record<string, unknown> = {};
  for (const key of Object.keys(value)) _define(escaped, key, _escaped(value[key]));
  return escaped;
}

/** An object a merge would read as a literal marker: `LITERAL_KEY` is its only key. */
function _looksLiteral(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === LITERAL_KEY;
}

/** An own data property even for `__proto__`, so no key can replace the result's prototype. */
function _define(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
