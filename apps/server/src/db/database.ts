import { PgConfigStore } from '@cfg/pg-store';
import type { Logger } from '@cfg/source';
import pg from 'pg';

export interface Database {
  store: PgConfigStore;
  /** Ends the pool (after the store's subscriptions were stopped by their owners). */
  close(): Promise<void>;
}

/**
 * Longest wait between attempts to re-open the LISTEN connection. The store's default (10 s) could
 * leave a replica up to 10 s behind once PostgreSQL is back after a long outage (the poller's own
 * retries back off to the poll interval, 5 s); with 2 s, a replica re-checks within ~2 s of its return.
 */
const LISTEN_RETRY_CAP_MS = 2_000;

/**
 * A pool and a migrated `PgConfigStore` in `schema`. An idle client's error (the server restarted,
 * a backend was terminated) is logged, not thrown: the pool replaces the client on next use.
 */
export async function openDatabase(opts: {
  url: string;
  schema: string;
  logger?: Logger;
}): Promise<Database> {
  const pool = new pg.Pool({ connectionString: opts.url, max: 5, connectionTimeoutMillis: 10_000 });
  // An idle client's error, the store's LISTEN connection state: at debug. A database that went away
  // is said once by the poller ("… still serving the last good config") and once when it is back
  // (runtime.ts); these said it again, per idle client and per LISTEN retry (two WARN lines every
  // 1–2 s on a replica whose database was gone). A lost LISTEN alone reconnects within
  // LISTEN_RETRY_CAP_MS while polling carries on.
  const logger = opts.logger;
  pool.on('error', (error) =>
    logger?.debug({ err: error.message }, `idle database connection lost: ${error.message}`),
  );
  const store = new PgConfigStore(pool, {
    schema: opts.schema,
    maxReconnectDelayMs: LISTEN_RETRY_CAP_MS,
    ...(logger
      ? {
          logger: {
            debug: (obj, msg) => logger.debug(obj, msg),
            info: (obj, msg) => logger.debug(obj, msg),
            warn: (obj, msg) => logger.debug(obj, msg),
            error: (obj, msg) => logger.error(obj, msg),
          },
        }
      : {}),
  });
  try {
    await store.migrate();
  } catch (error) {
    await pool.end().catch(() => {});
    throw new Error(`cannot use the database at ${redactUrl(opts.url)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { store, close: () => pool.end() };
}

/** The URL with its password replaced, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
