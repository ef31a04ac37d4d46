import { createHash } from 'node:crypto';

/**
 * The last string hashed and its hash: one text is often hashed twice on its way through a process
 * (a replica verifies a stored document's hash, then its local snapshot hashes the same text). Keyed
 * by the string's value (strings are immutable, and an equal string is found by a compare, far
 * cheaper than SHA-256), so it can never give the hash of another text. Bytes are not remembered:
 * a buffer can be changed after it was hashed.
 */
let lastHashed: { text: string; hash: string } | undefined;

/** SHA-256 hex of raw bytes. Strings are hashed as their UTF-8 bytes. */
export function hashBytes(bytes: Uint8Array | string): string {
  if (typeof bytes !== 'string') return createHash('sha256').update(bytes).digest('hex');
  if (lastHashed?.text === bytes) return lastHashed.hash;
  const hash = createHash('sha256').update(bytes).digest('hex');
  lastHashed = { text: bytes, hash };
  return hash;
}

/**
 * SHA-256 hex of the config's canonical JSON: object keys sorted at every level, so key order never
 * changes the hash. Array order does. `undefined` members are dropped, as JSON does.
 */
export function hashConfig(config: unknown): string {
  return hashBytes(canonicalJson(config));
}

/**
 * The hash of a config made from layers, from the layers' hashes alone (in order): what
 * `CompositeSource` reports, so it can tell a change without loading or merging anything. Equal
 * layer hashes give equal hashes; it is never one of the layers' own hashes.
 */
export function hashLayers(layerHashes: readonly string[]): string {
  return hashBytes(`layers\n${layerHashes.join('\n')}`);
}

/** JSON with object keys sorted at every level; the input is not modified. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, _sortKeys) ?? 'null';
}

function _sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    // defineProperty, not `=`: an own `__proto__` key must stay data (and count in the hash).
    const member = (value as Record<string, unknown>)[key];
    Object.defineProperty(sorted, key, {
      value: member,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return sorted;
}
