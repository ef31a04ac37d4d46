import { type AppConfig, CompositeSource, type ConfigSource, mergeConfigs } from '@cfg/source';

/**
 * `CompositeSource([base, overlay])` — the watched file under the stored overlay document — whose
 * snapshots also carry the overlay's version. `CompositeSource` leaves `version` out (layers have
 * one each); here it is taken from the overlay snapshot used in that very merge (tracked by object
 * identity through the `merge` hook), never from a second read, so a version always matches its
 * config.
 */
export function createOverlaySource(base: ConfigSource, overlay: ConfigSource): ConfigSource {
  const versions = new WeakMap<AppConfig, number>();
  const overlayLayer: ConfigSource = {
    name: overlay.name,
    load: async (opts) => {
      const snapshot = await overlay.load(opts);
      if (snapshot.version !== undefined) versions.set(snapshot.config, snapshot.version);
      return snapshot;
    },
    hash: (opts) => overlay.hash(opts),
    ...(overlay.subscribe ? { subscribe: (hint: () => void) => overlay.subscribe!(hint) } : {}),
  };
  const merge = (lower: AppConfig, upper: AppConfig): AppConfig => {
    const merged = mergeConfigs(lower, upper);
    const version = versions.get(upper);
    if (version !== undefined) versions.set(merged, version);
    return merged;
  };
  const composite = new CompositeSource([base, overlayLayer], { merge });
  return {
    name: composite.name,
    load: async (opts) => {
      const snapshot = await composite.load(opts);
      const version = versions.get(snapshot.config);
      return version === undefined ? snapshot : { ...snapshot, version };
    },
    hash: (opts) => composite.hash(opts),
    ...(composite.subscribe ? { subscribe: composite.subscribe } : {}),
  };
}
