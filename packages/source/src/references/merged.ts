import { hashConfig } from '../hash.js';
import type { AppConfig, ConfigSnapshot } from '../types.js';
import { keyedHash } from './digest.js';
import { toPointer } from './pointer.js';
import { targetKey } from './read-targets.js';
import type { ReferenceTarget } from './types.js';
import { forEachString } from './walk.js';

/** The hash and reference facts of a config merged from layers. */
export interface MergedFacts {
  hash: string;
  secretPaths?: string[];
  references?: ReferenceTarget[];
}

/**
 * What a snapshot of `merged`, made from `layers`, says: `hashConfig(merged)`, keyed (as resolved
 * values are) when any layer resolved a reference, since the merged config then holds secret
 * values; the secret paths in `merged`; every layer's references. A merge may move a value (a
 * module matched by name sits at another index), so a path is secret when its string equals a
 * value a layer took from a reference: it never misses one, and at worst also masks a plain value
 * equal to a secret. `CompositeSource` takes its `secretPaths` and `references` from here (its
 * `hash` is `hashLayers` of the layers' hashes instead).
 */
export function mergeSnapshotFacts(layers: readonly ConfigSnapshot[], merged: AppConfig): MergedFacts {
  const hash = hashConfig(merged);
  const facts = mergedReferenceFacts(layers, merged);
  return facts ? { hash: keyedHash(hash), ...facts } : { hash };
}

/** `mergeSnapshotFacts` without the hash; `undefined` when no layer resolved a reference. */
export function mergedReferenceFacts(
  layers: readonly ConfigSnapshot[],
  merged: AppConfig,
): Omit<MergedFacts, 'hash'> | undefined {
  if (!layers.some((layer) => layer.secretPaths?.length || layer.references?.length)) return undefined;
  const secrets = new Set<string>();
  for (const layer of layers) {
    for (const pointer of layer.secretPaths ?? []) {
      const value = _valueAt(layer.config, pointer);
      if (typeof value === 'string') secrets.add(value);
    }
  }
  const secretPaths: string[] = [];
  forEachString(merged, (value, pathOf) => {
    if (secrets.has(value)) secretPaths.push(toPointer(pathOf()));
  });
  const references = new Map<string, ReferenceTarget>();
  for (const layer of layers)
    for (const target of layer.references ?? []) references.set(targetKey(target), target);
  return {
    ...(secretPaths.length > 0 ? { secretPaths } : {}),
    references: [...references.keys()].sort().map((key) => references.get(key)!),
  };
}

/** The value at an RFC 6901 pointer (own members only), or `undefined`. */
function _valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const segment of pointer.split('/').slice(1)) {
    const key = segment.replaceAll('~1', '/').replaceAll('~0', '~');
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
