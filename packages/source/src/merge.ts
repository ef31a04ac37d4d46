import { isPlainObject } from './plain-object.js';
import type { AppConfig, ModuleConfig } from './types.js';

/**
 * Overlays `overlay` on `base` and returns a new config; neither input is modified and the result
 * shares no objects with them.
 *
 * - Modules are matched by `name`: a matching overlay module is merged into the base one (its
 *   `config` deep-merges; `type` and `dependsOn` replace); new names are appended in overlay order.
 *   Base order is kept. An overlay cannot remove a module.
 * - Every other top-level section, and every module's `config`, merges as in JSON Merge Patch
 *   (RFC 7386): plain objects merge key by key, arrays and scalars replace, `null` deletes the key.
 *
 * Keys such as `__proto__` are copied as ordinary own data, never through the prototype setter,
 * so a config cannot pollute `Object.prototype` or change the prototype of the result.
 */
export function mergeConfigs(base: AppConfig, overlay: AppConfig): AppConfig {
  // `modules: []` replaces (cheaply) what the line below computes properly, keeping its key position.
  const sections: Record<string, unknown> = { modules: [] };
  for (const key of Object.keys(overlay)) if (key !== 'modules') _set(sections, key, overlay[key]);
  const merged = mergePatch(base, sections) as AppConfig;
  merged.modules = _mergeModules(base.modules, overlay.modules);
  return merged;
}

/**
 * RFC 7386 JSON Merge Patch: a new value, `target` with `patch` applied. Base key order is kept and
 * new keys follow in patch order. Inputs are not modified.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return cloneJson(patch);
  const base = isPlainObject(target) ? target : {};
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(base)) {
    if (!Object.hasOwn(patch, key)) _set(result, key, cloneJson(base[key]));
    else if (patch[key] !== null) _set(result, key, mergePatch(base[key], patch[key]));
  }
  for (const key of Object.keys(patch)) {
    if (!Object.hasOwn(base, key) && patch[key] !== null)
      _set(result, key, mergePatch(undefined, patch[key]));
  }
  return result;
}

/** A deep copy of plain objects and arrays; other values (strings, numbers, Dates…) are kept as is. */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) _set(copy, key, cloneJson(value[key]));
  return copy as T;
}

function _mergeModules(base: ModuleConfig[], overlay: ModuleConfig[]): ModuleConfig[] {
  const overlayByName = new Map(overlay.map((m) => [m.name, m]));
  const merged = base.map((m) => {
    const patch = overlayByName.get(m.name);
    return (patch ? mergePatch(m, patch) : cloneJson(m)) as ModuleConfig;
  });
  const baseNames = new Set(base.map((m) => m.name));
  for (const m of overlay) if (!baseNames.has(m.name)) merged.push(mergePatch(undefined, m) as ModuleConfig);
  return merged;
}

/** Defines an own data property, so `__proto__` is stored as a key instead of replacing the prototype. */
function _set(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
