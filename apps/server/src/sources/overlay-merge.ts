// How the server's stored overlay is merged over its config file, and the overlay entries a merge leaves out.
import type { ConfigReloader } from '@cfg/reloader';
import {
  type AppConfig,
  CompositeSource,
  type ConfigSource,
  LITERAL_KEY,
  type Logger,
  mergeConfigs,
  type SkippedModule,
} from '@cfg/source';

/** The overlay entries each merged config left out, by config object (configs are never modified). */
const skippedBy = new WeakMap<AppConfig, readonly SkippedModule[]>();

/**
 * The server's overlay on the base file: the overlay only edits the file's modules (`modules:
 * 'patch'`): an entry's `type` is optional, and when given it only says which type the entry was
 * written for — a module whose type changed in the file runs as the file says, and a module deleted
 * from the file stays deleted; such entries are left out, and `skippedOverlayEntries` reports them.
 * `{ $literal: … }` holds values a merge patch cannot (a `null` a PUT sent).
 */
export function mergeOverlay(base: AppConfig, overlay: AppConfig): AppConfig {
  const skipped: SkippedModule[] = [];
  const merged = mergeConfigs(base, overlay, {
    modules: 'patch',
    literalKey: LITERAL_KEY,
    onSkip: (entry) => skipped.push(entry),
  });
  skippedBy.set(merged, skipped);
  return merged;
}

/** The overlay entries that `config` (made by `mergeOverlay`) left out; none for any other config. */
export function skippedOverlayEntries(config: AppConfig): readonly SkippedModule[] {
  return skippedBy.get(config) ?? [];
}

/** One line saying why an overlay entry is not applied, and how to clear it. */
export function describeSkipped(entry: SkippedModule): string {
  const why =
    entry.reason === 'missing'
      ? `the config file has no module "${entry.name}"`
      : `it was written for type "${entry.type}", and the file's "${entry.name}" is now a "${entry.baseType}"`;
  return `overlay entry "${entry.name}" is not applied: ${why}`;
}

/**
 * Logs the overlay entries the applied config leaves out: a warning for each entry as it starts
 * being left out (at start, or after the reload that caused it), and one line when none is left
 * out any more — never once per check. `GET /api/v1/status` lists them too.
 */
export function reportSkippedOverlayEntries(
  reloader: Pick<ConfigReloader, 'current' | 'on'>,
  logger: Logger,
): void {
  let reported = new Set<string>();
  const check = (): void => {
    const skipped = skippedOverlayEntries(reloader.current.config);
    const now = new Set(skipped.map((entry) => JSON.stringify(entry)));
    for (const entry of skipped) {
      if (reported.has(JSON.stringify(entry))) continue;
      logger.warn(
        { module: entry.name, reason: entry.reason, type: entry.type, baseType: entry.baseType },
        `${describeSkipped(entry)}; clear it by rolling the overlay back or pushing it without the entry`,
      );
    }
    if (now.size === 0 && reported.size > 0) logger.info({}, 'every overlay entry applies again');
    reported = now;
  };
  check();
  reloader.on('reload', check);
}

/**
 * The watched file under the stored overlay document, merged by `mergeOverlay`: its snapshots carry
 * the overlay's version (`versionFrom`), read in the very load that was merged. Read the overlay
 * with `overlay: true`, so its entries need not repeat `type`.
 */
export function overlayOnBase(base: ConfigSource, overlay: ConfigSource): CompositeSource {
  return new CompositeSource([base, overlay], { merge: mergeOverlay, versionFrom: 1 });
}
