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
  pool.on('error', (error) =>
    opts.logger?.warn({ err: error.message }, `database connection lost: ${error.message}`),
  );
  const store = new PgConfigStore(pool, {
    schema: opts.schema,
    maxReconnectDelayMs: LISTEN_RETRY_CAP_MS,
    ...(opts.logger ? { logger: opts.logger } : {}),
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
