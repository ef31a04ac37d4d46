import type { ConfigSource } from '@cfg/source';

/** A source with a hint that the caller can fire: "check now". */
export interface NudgeableSource extends ConfigSource {
  subscribe(hint: () => void): () => void;
  /** Tells every subscriber (a `SourcePoller`) to check at once. */
  nudge(): void;
}

/**
 * Adds `nudge()` to a source: its subscribers get the source's own hints (PostgreSQL NOTIFY) and
 * every nudge. The file watcher nudges the poller of the file + overlay composite, so a saved file
 * takes the same single path into the reloader as a database change.
 */
export function withNudge(source: ConfigSource): NudgeableSource {
  const hints = new Set<() => void>();
  return {
    name: source.name,
    load: (opts) => source.load(opts),
    hash: (opts) => source.hash(opts),
    subscribe(hint) {
      hints.add(hint);
      const unsubscribe = source.subscribe?.(hint);
      return () => {
        hints.delete(hint);
        unsubscribe?.();
      };
    },
    nudge() {
      for (const hint of hints) hint();
    },
  };
}
