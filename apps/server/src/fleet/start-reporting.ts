import type { PgConfigStore } from '@cfg/pg-store';
import type { Logger } from '@cfg/source';
import type { Runtime } from '../runtime.js';
import { instanceIdentity } from './instance.js';
import { FleetReporter } from './reporter.js';

/**
 * Registers this server in the store's fleet and reports every reload result of the document it
 * follows (database and overlay modes). Returns the reporter and a stop that deregisters; `undefined`
 * in file mode (no document, no store).
 */
export function startFleetReporting(opts: {
  store: PgConfigStore;
  runtime: Runtime;
  labels: Record<string, string>;
  heartbeatMs: number;
  logger: Logger;
}): { reporter: FleetReporter; stop: () => Promise<void> } | undefined {
  const { runtime } = opts;
  const key = runtime.writer.key;
  if (!key) return undefined;
  const { version, hash } = runtime.reloader.current;
  const reporter = new FleetReporter({
    store: opts.store,
    identity: instanceIdentity({ key, mode: runtime.writer.mode, labels: opts.labels }),
    initial: { ...(version === undefined ? {} : { version }), hash },
    heartbeatMs: opts.heartbeatMs,
    redactor: runtime.redactor,
    logger: opts.logger,
  });
  // The reloader's own event: every result, also a change delivered twice (the reporter skips those).
  const off = runtime.reloader.on('reload', (result) => reporter.record(result));
  reporter.start();
  return {
    reporter,
    stop: async () => {
      off();
      await reporter.stop();
    },
  };
}
