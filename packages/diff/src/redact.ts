import type { AppConfig, ModuleConfig, SecretKeyPattern } from './config-types.js';
import { isPlainObject } from './equal.js';
import { toPointer } from './pointer.js';
import type { ConfigDiff, ModuleChange, ModuleDiff, PathChange } from './types.js';

/** The mask `@cfg/source` shows secrets as (`SECRET_MASK`); this package does not import it. */
const DEFAULT_MASK = '******';

/**
 * What is secret in the two configs of a diff. Takes `@cfg/source`'s vocabulary as plain data:
 * this package uses `@cfg/source`'s types only, so the key pattern is passed in, not defaulted.
 */
export interface DiffRedaction {
  /** The previous snapshot's `secretPaths`: JSON Pointers from its config's root. */
  previousSecretPaths?: readonly string[];
  /** The next snapshot's `secretPaths`. */
  nextSecretPaths?: readonly string[];
  /**
   * Key names whose values are secret at any depth below them: `SECRET_KEY_PATTERN` from
   * `@cfg/source` (a RegExp), your own RegExp or function, or `false` for none.
   */
  keyPattern: SecretKeyPattern;
  /** What a secret value is shown as. @defaultValue `'******'` (`@cfg/source`'s `SECRET_MASK`) */
  mask?: string;
}

/**
 * A copy of `diff` fit to be shown: every value that is secret in `previous` or `next` (its path is
 * in that side's `secretPaths`, or under a key matching `keyPattern`) is replaced by the mask. A
 * `PathChange` whose own value is secret gets `secret: true`, so a formatter can say that it
 * changed without any value; an object value keeps its other members. Whole modules
 * (`added`, `removed`, `ModuleChange.previous`/`next`) are masked the same way. `previous` and
 * `next` are the configs the diff was made from. Apply changes with the diff itself, never with
 * this copy.
 */
export function redactDiff(
  diff: ConfigDiff,
  previous: AppConfig,
  next: AppConfig,
  redaction: DiffRedaction,
): ConfigDiff {
  return { ...diff, modules: redactModuleDiff(diff.modules, previous, next, redaction) };
}

/** `redactDiff` for a `diffModules` result. */
export function redactModuleDiff(
  diff: ModuleDiff,
  previous: AppConfig,
  next: AppConfig,
  redaction: DiffRedaction,
): ModuleDiff {
  const before = _side(previous, redaction.previousSecretPaths, redaction);
  const after = _side(next, redaction.nextSecretPaths, redaction);
  return {
    added: diff.added.map((module) => after.module(module)),
    removed: diff.removed.map((module) => before.module(module)),
    modified: diff.modified.map((change) => _change(change, before, after)),
    unchanged: [...diff.unchanged],
  };
}

/** Whether a module-relative path is secret by key alone: one of its keys matches the pattern. */
export function isSecretPath(path: string, keyPattern: SecretKeyPattern): boolean {
  if (keyPattern === false || path === '') return false;
  return path
    .slice(1)
    .split('/')
    .some((segment) => _matches(segment.replaceAll('~1', '/').replaceAll('~0', '~'), keyPattern));
}

/** Masks a value found at module-relative `path`, by key pattern only (no reference paths known). */
export function redactByKey(
  value: unknown,
  path: string,
  keyPattern: SecretKeyPattern,
  mask = DEFAULT_MASK,
): unknown {
  return _mask(value, '', new Set(), isSecretPath(path, keyPattern), keyPattern, mask);
}

/** One config's secrets, by module name. */
interface Side {
  /** The module masked whole. */
  module(module: ModuleConfig): ModuleConfig;
  /** The value at module-relative `path` of module `name`, masked; `whole` when it is a secret itself. */
  value(name: string, path: string, value: unknown): { value: unknown; whole: boolean };
}

function _side(config: AppConfig, secretPaths: readonly string[] | undefined, r: DiffRedaction): Side {
  const mask = r.mask ?? DEFAULT_MASK;
  // Module index → its secret pointers, relative to the module (`/config/password`).
  const byIndex = new Map<number, Set<string>>();
  for (const pointer of secretPaths ?? []) {
    const match = /^\/modules\/(\d+)((?:\/.*)?)$/.exec(pointer);
    if (!match) continue;
    const index = Number(match[1]);
    byIndex.set(index, (byIndex.get(index) ?? new Set()).add(match[2]!));
  }
  const indexOf = new Map(config.modules.map((module, i) => [module.name, i]));
  const secretsOf = (name: string) => byIndex.get(indexOf.get(name) ?? -1) ?? new Set<string>();
  return {
    module: (module) => _mask(module, '', secretsOf(module.name), false, r.keyPattern, mask) as ModuleConfig,
    value: (name, path, value) => {
      const secrets = secretsOf(name);
      const whole = secrets.has(path) || isSecretPath(path, r.keyPattern);
      return { value: _mask(value, path, secrets, whole, r.keyPattern, mask), whole };
    },
  };
}

function _change(change: ModuleChange, before: Side, after: Side): ModuleChange {
  return {
    ...change,
    previous: before.module(change.previous),
    next: after.module(change.next),
    paths: change.paths.map((path) => _pathChange(change.name, path, before, after)),
  };
}

function _pathChange(name: string, change: PathChange, before: Side, after: Side): PathChange {
  const masked: PathChange = { op: change.op, path: change.path };
  let secret = false;
  if (change.op !== 'add') {
    const { value, whole } = before.value(name, change.path, change.previous);
    masked.previous = value;
    secret ||= whole;
  }
  if (change.op !== 'remove') {
    const { value, whole } = after.value(name, change.path, change.next);
    masked.next = value;
    secret ||= whole;
  }
  if (secret) masked.secret = true;
  return masked;
}

/**
 * A copy of `value` (found at `pointer`) with the values at `secrets` pointers, and everything under
 * a matching key, masked; `null` and `undefined` stay (they say that nothing is set).
 */
function _mask(
  value: unknown,
  pointer: string,
  secrets: ReadonlySet<string>,
  masked: boolean,
  keyPattern: SecretKeyPattern,
  mask: string,
): unknown {
  const secret = masked || secrets.has(pointer);
  if (Array.isArray(value))
    return value.map((item, i) => _mask(item, `${pointer}/${i}`, secrets, secret, keyPattern, mask));
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const inner = _mask(
        value[key],
        pointer + toPointer([key]),
        secrets,
        secret || _matches(key, keyPattern),
        keyPattern,
        mask,
      );
      Object.defineProperty(copy, key, {
        value: inner,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  }
  return secret && value !== null && value !== undefined ? mask : value;
}

function _matches(key: string, pattern: SecretKeyPattern): boolean {
  if (pattern === false) return false;
  if (typeof pattern === 'function') return pattern(key);
  pattern.lastIndex = 0; // a /g or /y pattern keeps state between tests
  return pattern.test(key);
}
