import { isPlainObject } from './plain-object.js';
import type { AppConfig, ModuleConfig } from './types.js';

/** An overlay module that `mergeConfigs` left out, and why. */
export interface SkippedModule {
  name: string;
  /**
   * - `missing`: the base has no module with that name, and the entry cannot add one (it has no
   *   `type`, or `modules: 'patch'` was asked for);
   * - `type`: (`modules: 'patch'`) the entry names a `type` the base module no longer has.
   */
  reason: 'missing' | 'type';
  /** The entry's `type`, when it has one. */
  type?: string;
  /** The base module's `type` (`reason: 'type'`). */
  baseType?: string;
}

export interface MergeOptions {
  /**
   * How overlay modules apply to the base's modules (matched by `name` either way):
   * - `'merge'`: an entry's `config` deep-merges into the base module's; its `type` and `dependsOn`
   *   replace the base's; an entry with a new name (and a `type`) is appended;
   * - `'patch'`: the overlay only edits the base's modules: it cannot add a module or change a
   *   type. An entry's `type` is optional, and when present it is a condition: the entry applies
   *   only while the base module has that type (so an edit written for one type is never merged
   *   into a module that became another). Entries that do not apply are left out and reported to
   *   `onSkip`; a module deleted from the base is not brought back by its overlay entry.
   *
   * In both, an entry without `type` whose name the base lacks is left out (`missing`).
   * @defaultValue `'merge'`
   */
  modules?: 'merge' | 'patch';
  /**
   * A key that marks a literal value: an overlay object whose only key is this one stands for its
   * value as is — `null` included, which a merge patch otherwise reads as "delete" — and is never
   * merged into what lies below. E.g. with `'$literal'`, `{ a: { $literal: null } }` sets `a` to
   * `null`. @defaultValue none: plain RFC 7386
   */
  literalKey?: string;
  /** Told about each overlay module that was left out. */
  onSkip?: (skipped: SkippedModule) => void;
}

/** What `mergePatch` can be told. */
export type MergePatchOptions = Pick<MergeOptions, 'literalKey'>;

/**
 * The literal marker `overridePatch` writes unless told another: `{ $literal: null }` stands for
 * `null`. Merge with `{ literalKey: LITERAL_KEY }` to read it (plain RFC 7386 has none).
 */
export const LITERAL_KEY = '$literal';

/**
 * Overlays `overlay` on `base` and returns a new config; neither input is modified and the result
 * shares no objects with them.
 *
 * - Modules are matched by `name`: a matching overlay module's `config` deep-merges into the base
 *   one; what else it may do depends on `opts.modules` (`'merge'`: its `type` and `dependsOn`
 *   replace, and new names are appended in overlay order; `'patch'`: see `MergeOptions`). Base
 *   order is kept. An overlay cannot remove a module.
 * - Every other top-level section, and every module's `config`, merges as in JSON Merge Patch
 *   (RFC 7386): plain objects merge key by key, arrays and scalars replace, `null` deletes the key
 *   (unless wrapped with `opts.literalKey`).
 *
 * Keys such as `__proto__` are copied as ordinary own data, never through the prototype setter,
 * so a config cannot pollute `Object.prototype` or change the prototype of the result.
 */
export function mergeConfigs(base: AppConfig, overlay: AppConfig, opts: MergeOptions = {}): AppConfig {
  // `modules: []` replaces (cheaply) what the line below computes properly, keeping its key position.
  const sections: Record<string, unknown> = { modules: [] };
  for (const key of Object.keys(overlay)) if (key !== 'modules') _set(sections, key, overlay[key]);
  const merged = mergePatch(base, sections, opts) as AppConfig;
  merged.modules = _mergeModules(base.modules, overlay.modules, opts);
  return merged;
}

/**
 * RFC 7386 JSON Merge Patch: a new value, `target` with `patch` applied. Base key order is kept and
 * new keys follow in patch order. With `opts.literalKey`, a patch object whose only key is that
 * one is taken as its value, as is (see `MergeOptions.literalKey`). Inputs are not modified.
 */
export function mergePatch(target: unknown, patch: unknown, opts: MergePatchOptions = {}): unknown {
  const literal = _literal(patch, opts.literalKey);
  if (literal) return cloneJson(literal.value);
  if (!isPlainObject(patch)) return cloneJson(patch);
  const base = isPlainObject(target) ? target : {};
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(base)) {
    if (!Object.hasOwn(patch, key)) _set(result, key, cloneJson(base[key]));
    else if (patch[key] !== null) _set(result, key, mergePatch(base[key], patch[key], opts));
  }
  for (const key of Object.keys(patch)) {
    if (!Object.hasOwn(base, key) && patch[key] !== null)
      _set(result, key, mergePatch(undefined, patch[key], opts));
  }
  return result;
}

/**
 * The JSON Merge Patch that turns `from` into `to` — `mergePatch(from, patch, { literalKey })`
 * deep-equals `to` — and that sets every key of `to` explicitly, so it keeps winning for those keys
 * when `from` changes later (an override of a base that others edit). Keys only `from` has become
 * `null` (deleted); plain objects on both sides recurse, so a nested key the base has and `to` lacks
 * is deleted too. `null`s in `to` are written as literals (`{ [literalKey]: null }`), and so is an
 * object of `to` that would itself read as a literal marker. Inputs are not modified; keys such as
 * `__proto__` are own data.
 */
export function overridePatch(
  from: unknown,
  to: Record<string, unknown>,
  opts: MergePatchOptions = {},
): Record<string, unknown> {
  const key = opts.literalKey ?? LITERAL_KEY;
  const base = isPlainObject(from) ? from : {};
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(to)) {
    const next = to[k];
    const merges = isPlainObject(next) && !_literal(next, key) && isPlainObject(base[k]);
    _set(
      patch,
      k,
      merges ? overridePatch(base[k], next as Record<string, unknown>, opts) : _escaped(next, key),
    );
  }
  for (const k of Object.keys(base)) if (!Object.hasOwn(to, k)) _set(patch, k, null);
  // A patch that would itself read as a literal marker (its one key is `key`): `to`, as is.
  return _literal(patch, key) ? { [key]: to } : patch;
}

/** `value` written so that merging it onto anything gives `value` back exactly. */
function _escaped(value: unknown, key: string): unknown {
  if (value === null || _literal(value, key)) return { [key]: value };
  if (!isPlainObject(value)) return value; // scalars and arrays replace as they are
  // Merged key by key onto nothing: each key's value is escaped the same way.
  const escaped: Record<string, unknown> = {};
  for (const k of Object.keys(value)) _set(escaped, k, _escaped(value[k], key));
  return escaped;
}

/** A deep copy of plain objects and arrays; other values (strings, numbers, Dates…) are kept as is. */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) _set(copy, key, cloneJson(value[key]));
  return copy as T;
}

function _mergeModules(base: ModuleConfig[], overlay: ModuleConfig[], opts: MergeOptions): ModuleConfig[] {
  const patchOnly = opts.modules === 'patch';
  const overlayByName = new Map(overlay.map((m) => [m.name, m]));
  const merged = base.map((m) => {
    const entry = overlayByName.get(m.name);
    if (!entry) return cloneJson(m);
    if (patchOnly && entry.type !== undefined && entry.type !== m.type) {
      opts.onSkip?.({ name: m.name, reason: 'type', type: entry.type, baseType: m.type });
      return cloneJson(m);
    }
    return mergePatch(m, patchOnly ? _withoutType(entry) : entry, opts) as ModuleConfig;
  });
  const baseNames = new Set(base.map((m) => m.name));
  for (const m of overlay) {
    if (baseNames.has(m.name)) continue;
    if (patchOnly || m.type === undefined) {
      opts.onSkip?.({ name: m.name, reason: 'missing', ...(m.type === undefined ? {} : { type: m.type }) });
      continue;
    }
    merged.push(mergePatch(undefined, m, opts) as ModuleConfig);
  }
  return merged;
}

/** The entry without its `type` (a condition in `'patch'` mode, already checked), as a new object. */
function _withoutType(entry: ModuleConfig): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(entry)) if (key !== 'type') _set(rest, key, entry[key as keyof ModuleConfig]);
  return rest;
}

/** `{ value }` when `patch` is an object whose only key is `key`. */
function _literal(patch: unknown, key: string | undefined): { value: unknown } | undefined {
  if (key === undefined || !isPlainObject(patch)) return undefined;
  const keys = Object.keys(patch);
  return keys.length === 1 && keys[0] === key ? { value: patch[key] } : undefined;
}

/** Defines an own data property, so `__proto__` is stored as a key instead of replacing the prototype. */
function _set(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
