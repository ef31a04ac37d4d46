import { isPlainObject } from '../plain-object.js';
import { toPointer } from './pointer.js';

/** What a secret is shown as, wherever it is shown. Fixed: its length says nothing. */
export const SECRET_MASK = '******';

/**
 * Key names whose values are secret, wherever they sit (case-insensitive, anywhere in the name):
 * `password`, `passwd`, `passphrase`, `secret`, `token`, `apiKey`/`api_key`/`api-key`,
 * `privateKey`, `accessKey`, `credential(s)`, `authorization`. So `dbPassword`, `clientSecret` and
 * `authToken` match; so does `maxTokens`, a price paid for never missing `tokens` (pass your own).
 */
export const SECRET_KEY_PATTERN =
  /passw(?:or)?d|passphrase|secret|token|api[-_]?key|private[-_]?key|access[-_]?key|credential|authorization/i;

/** Which key names hold secrets: a pattern tested on the name, a function, or `false` for none. */
export type SecretKeyPattern = RegExp | ((key: string) => boolean) | false;

export interface RedactOptions {
  /** JSON Pointers of values to mask, from the value's root: a snapshot's `secretPaths`. */
  secretPaths?: readonly string[];
  /**
   * Keys whose values are masked, whole: strings, numbers and booleans, at any depth below the key
   * (`null` stays `null`: it tells that nothing is set).
   * @defaultValue `SECRET_KEY_PATTERN`
   */
  keyPattern?: SecretKeyPattern;
  /** @defaultValue `SECRET_MASK` */
  mask?: string;
}

/** Whether values under `key` are secret by `pattern` (default `SECRET_KEY_PATTERN`). */
export function isSecretKey(key: string, pattern: SecretKeyPattern = SECRET_KEY_PATTERN): boolean {
  if (pattern === false) return false;
  if (typeof pattern === 'function') return pattern(key);
  pattern.lastIndex = 0; // a /g or /y pattern keeps state between tests
  return pattern.test(key);
}

/**
 * A deep copy of `value` (a config, a module, any JSON data) with every secret replaced by the
 * mask: the values at `secretPaths` (those that came from references), and everything under a key
 * matching `keyPattern`. Keys and structure stay visible. For showing a config anywhere outside the
 * process: an API reply, an event, a log line. The input is not modified.
 */
export function redactConfig<T>(value: T, opts: RedactOptions = {}): T {
  const paths = new Set(opts.secretPaths ?? []);
  const pattern = opts.keyPattern ?? SECRET_KEY_PATTERN;
  const mask = opts.mask ?? SECRET_MASK;
  return _redact(value, '', false, { paths, pattern, mask }) as T;
}

/**
 * The strings `redactConfig` would mask (numbers and booleans under secret keys as text), without
 * empty ones: what a log or error text must not contain. Scrub a message with
 * `for (const s of secrets) text = text.replaceAll(s, SECRET_MASK)`.
 */
export function secretStrings(value: unknown, opts: Omit<RedactOptions, 'mask'> = {}): Set<string> {
  const found = new Set<string>();
  const marker = Symbol('secret');
  const paths = new Set(opts.secretPaths ?? []);
  const pattern = opts.keyPattern ?? SECRET_KEY_PATTERN;
  _redact(value, '', false, { paths, pattern, mask: marker, collect: found });
  return found;
}

interface Redaction {
  paths: ReadonlySet<string>;
  pattern: SecretKeyPattern;
  mask: unknown;
  collect?: Set<string>;
}

/** `pointer` is the JSON Pointer of `value`, built as the walk goes down. */
function _redact(value: unknown, pointer: string, underSecretKey: boolean, r: Redaction): unknown {
  const masked = underSecretKey || r.paths.has(pointer);
  if (Array.isArray(value)) return value.map((item, i) => _redact(item, `${pointer}/${i}`, masked, r));
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const secret = masked || isSecretKey(key, r.pattern);
      Object.defineProperty(copy, key, {
        value: _redact(value[key], pointer + toPointer([key]), secret, r),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  }
  if (!masked || value === null || value === undefined) return value;
  if (r.collect && String(value) !== '') r.collect.add(String(value));
  return r.mask;
}
