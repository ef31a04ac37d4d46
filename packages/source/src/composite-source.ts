import { ConfigSourceError } from './errors.js';
import { hashLayers } from './hash.js';
import { cloneJson, mergeConfigs } from './merge.js';
import { mergedReferenceFacts } from './references/merged.js';
import type { AppConfig, ConfigSnapshot, ConfigSource, LoadOptions, SnapshotLayer } from './types.js';

const NAME = 'composite';

export interface CompositeSourceOptions {
  /**
   * How one layer is overlaid on the layers before it.
   * @defaultValue `mergeConfigs` (modules matched by name, JSON Merge Patch everywhere else)
   */
  merge?: (base: AppConfig, overlay: AppConfig) => AppConfig;
  /**
   * The index of the layer whose `version` the snapshot carries as its own, e.g. `1` for a stored
   * overlay over a file (`[file, database]`): the version read in the very load that was merged.
   * @defaultValue none: the snapshot has no `version` (its `layers` list each layer's)
   */
  versionFrom?: number;
}

/**
 * Layers: each source is overlaid on the ones before it (`[defaults, environment, local]`).
 * The snapshot's `hash` is `hashLayers` of the layers' hashes (so `hash()` asks every layer for its
 * cheap hash and never loads or merges), and `layers` says each layer's source, hash and version.
 * It has no `version` unless `versionFrom` names the layer to take it from.
 */
export class CompositeSource implements ConfigSource {
  /** `composite(<name>,<name>,…)`. */
  readonly name: string;
  readonly sources: readonly ConfigSource[];
  /** Present when at least one layer can push hints; forwards hints from all of them. */
  readonly subscribe?: (hint: () => void) => () => void;
  readonly #merge: (base: AppConfig, overlay: AppConfig) => AppConfig;
  readonly #versionFrom: number | undefined;

  constructor(sources: readonly ConfigSource[], opts: CompositeSourceOptions = {}) {
    if (sources.length === 0) {
      throw new ConfigSourceError(
        'CompositeSource needs at least one source, e.g. new CompositeSource([base])',
      );
    }
    const { versionFrom } = opts;
    if (versionFrom !== undefined && !(Number.isInteger(versionFrom) && sources[versionFrom])) {
      throw new ConfigSourceError(
        `CompositeSource versionFrom ${versionFrom} is not the index of one of its ${sources.length} source(s)`,
      );
    }
    this.sources = [...sources];
    this.name = `${NAME}(${this.sources.map((s) => s.name).join(',')})`;
    this.#merge = opts.merge ?? mergeConfigs;
    this.#versionFrom = versionFrom;
    const pushing = this.sources.filter((s) => s.subscribe);
    if (pushing.length > 0) this.subscribe = (hint) => _subscribeAll(pushing, hint);
  }

  /** Loads every layer once and merges them once; each layer's own source saves re-parsing bytes it parsed. */
  async load(opts: LoadOptions = {}): Promise<ConfigSnapshot> {
    const snapshots = await Promise.all(this.sources.map((s) => s.load(opts)));
    const [first, ...overlays] = snapshots.map((s) => s.config);
    // Copy even a single layer, so nobody can modify a layer's (possibly cached) config through ours.
    const config = overlays.reduce((merged, overlay) => this.#merge(merged, overlay), cloneJson(first!));
    // Where secrets sit in the merged config, and what the layers' references read.
    const facts = mergedReferenceFacts(snapshots, config);
    const layers = snapshots.map(_layerOf);
    const version = this.#versionFrom === undefined ? undefined : snapshots[this.#versionFrom]!.version;
    return {
      config,
      hash: hashLayers(layers.map((l) => l.hash)),
      ...facts,
      source: this.name,
      ...(version === undefined ? {} : { version }),
      loadedAt: new Date(),
      layers,
    };
  }

  /** `hashLayers` of every layer's cheap `hash()`: nothing is loaded or merged. */
  async hash(opts: LoadOptions = {}): Promise<string> {
    return hashLayers(await Promise.all(this.sources.map((s) => s.hash(opts))));
  }
}

function _layerOf(snapshot: ConfigSnapshot): SnapshotLayer {
  const { source, hash, version } = snapshot;
  return version === undefined ? { source, hash } : { source, hash, version };
}

function _subscribeAll(sources: readonly ConfigSource[], hint: () => void): () => void {
  const unsubscribes = sources.map((s) => s.subscribe!(hint));
  return () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
  };
}
