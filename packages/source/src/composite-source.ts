import { ConfigSourceError } from './errors.js';
import { cloneJson, mergeConfigs } from './merge.js';
import { mergeSnapshotFacts } from './references/merged.js';
import type { AppConfig, ConfigSnapshot, ConfigSource, LoadOptions } from './types.js';

const NAME = 'composite';

export interface CompositeSourceOptions {
  /**
   * How one layer is overlaid on the layers before it.
   * @defaultValue `mergeConfigs` (modules matched by name, JSON Merge Patch everywhere else)
   */
  merge?: (base: AppConfig, overlay: AppConfig) => AppConfig;
}

/**
 * Layers: each source is overlaid on the ones before it (`[defaults, environment, local]`).
 * The snapshot's `hash` is `hashConfig(merged)`, and it has no `version` (the layers' versions are
 * not one number; read them from the layers). `hash()` asks every layer for its cheap hash and only
 * loads and merges when one of them changed since the last merge.
 */
export class CompositeSource implements ConfigSource {
  /** `composite(<name>,<name>,…)`. */
  readonly name: string;
  readonly sources: readonly ConfigSource[];
  /** Present when at least one layer can push hints; forwards hints from all of them. */
  readonly subscribe?: (hint: () => void) => () => void;
  readonly #merge: (base: AppConfig, overlay: AppConfig) => AppConfig;
  /** The layers' hashes at the last merge, and the merged hash they produced. */
  #last: { layerHashes: string; hash: string } | undefined;

  constructor(sources: readonly ConfigSource[], opts: CompositeSourceOptions = {}) {
    if (sources.length === 0) {
      throw new ConfigSourceError(
        'CompositeSource needs at least one source, e.g. new CompositeSource([base])',
      );
    }
    this.sources = [...sources];
    this.name = `${NAME}(${this.sources.map((s) => s.name).join(',')})`;
    this.#merge = opts.merge ?? mergeConfigs;
    const pushing = this.sources.filter((s) => s.subscribe);
    if (pushing.length > 0) this.subscribe = (hint) => _subscribeAll(pushing, hint);
  }

  async load(opts: LoadOptions = {}): Promise<ConfigSnapshot> {
    const snapshots = await Promise.all(this.sources.map((s) => s.load(opts)));
    const [first, ...overlays] = snapshots.map((s) => s.config);
    // Copy even a single layer, so nobody can modify a layer's (possibly cached) config through ours.
    const config = overlays.reduce((merged, overlay) => this.#merge(merged, overlay), cloneJson(first!));
    // The hash of the merged config (keyed when a layer resolved references), and where secrets sit.
    const facts = mergeSnapshotFacts(snapshots, config);
    this.#last = { layerHashes: _joinHashes(snapshots.map((s) => s.hash)), hash: facts.hash };
    return { config, ...facts, source: this.name, loadedAt: new Date() };
  }

  async hash(opts: LoadOptions = {}): Promise<string> {
    const layerHashes = _joinHashes(await Promise.all(this.sources.map((s) => s.hash(opts))));
    const last = this.#last;
    if (last && last.layerHashes === layerHashes) return last.hash;
    return (await this.load(opts)).hash;
  }
}

function _joinHashes(hashes: string[]): string {
  return hashes.join(',');
}

function _subscribeAll(sources: readonly ConfigSource[], hint: () => void): () => void {
  const unsubscribes = sources.map((s) => s.subscribe!(hint));
  return () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
  };
}
