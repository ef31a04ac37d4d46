import diff, { type Difference } from 'microdiff';
import type { ModuleConfig } from './config-types.js';
import { dependencyChanges } from './dependencies.js';
import { isEmpty, isPlainObject, ownMember } from './equal.js';
import { toPointer } from './pointer.js';
import type { PathChange, PathOp } from './types.js';

/**
 * Keys a path never contains. Consumers often apply pointers with a naive `set(obj, path, value)`
 * that walks *inherited* members: `/__proto__/x`, or `/constructor/prototype/x`, would then write
 * into `Object.prototype` and reach every object in the process (prototype pollution). A change at
 * or beneath such a key is reported instead as a `replace` of its nearest safe ancestor (up to the
 * whole module, path `''`), so it is never lost and the path is never exploitable.
 */
const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const OPS = { CREATE: 'add', REMOVE: 'remove', CHANGE: 'replace' } as const satisfies Record<
  Difference['type'],
  PathOp
>;

type Segment = string | number;

/**
 * Every difference between two versions of one module, as JSON Pointer paths relative to the module.
 * microdiff does the deep walk; `dependsOn` is compared as a set (see `dependencies.ts`), and a
 * missing, `null` or `{}` `config` are the same empty config.
 */
export function modulePaths(previous: ModuleConfig, next: ModuleConfig): PathChange[] {
  // Cycles cannot occur: every @cfg source produces JSON-like data (canonical JSON hashing rejects cycles).
  const differences = diff(_view(previous), _view(next), { cyclesFix: false });
  const paths = _toPathChanges(differences, previous, next);
  paths.push(...dependencyChanges(previous.dependsOn, next.dependsOn));
  return paths;
}

function _toPathChanges(differences: Difference[], previous: unknown, next: unknown): PathChange[] {
  const paths: PathChange[] = [];
  const replacedWhole: string[] = [];
  for (const { type, path } of differences) {
    const cut = path.findIndex((segment) => typeof segment === 'string' && UNSAFE_KEYS.has(segment));
    const segments = cut === -1 ? path : path.slice(0, cut);
    const pointer = toPointer(segments);
    if (cut !== -1) {
      if (replacedWhole.includes(pointer)) continue;
      replacedWhole.push(pointer);
    }
    const op = cut === -1 ? OPS[type] : 'replace';
    const change: PathChange = { op, path: pointer };
    // Report the caller's own values, not the normalised copies microdiff compared.
    if (op !== 'add') change.previous = _at(previous, segments);
    if (op !== 'remove') change.next = _at(next, segments);
    paths.push(change);
  }
  if (replacedWhole.length === 0) return paths;
  return paths.filter(({ path }) => !replacedWhole.some((whole) => path.startsWith(`${whole}/`)));
}

/**
 * What microdiff compares: a copy with null-prototype objects (so `key in obj` sees only own keys,
 * and a key named `constructor` or `__proto__` is an ordinary key), no `undefined` members, no `-0`,
 * no `dependsOn` (a set, compared apart), and an empty `config` spelled `{}`.
 */
function _view(module: ModuleConfig): Record<string, unknown> {
  const view = _json({ ...module, dependsOn: undefined }) as Record<string, unknown>;
  if (isEmpty(view.config)) view.config = Object.create(null);
  return view;
}

function _json(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(_json);
  if (value === 0) return 0;
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value)) {
    if (value[key] !== undefined) copy[key] = _json(value[key]);
  }
  return copy;
}

function _at(root: unknown, segments: readonly Segment[]): unknown {
  let value = root;
  for (const segment of segments) value = ownMember(value, segment);
  return value;
}
