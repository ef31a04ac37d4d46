import { PgConfigStore } from '@cfg/pg-store';
import type { Logger } from '@cfg/source';
import pg from 'pg';

/** How long the store's calls may take, in ms (`0`: unbounded); see `PgConfigStoreOptions`. */
export interface StoreTimeouts {
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export interface DatabaseOptions extends StoreTimeouts {
  url: string;
  schema: string;
  logger?: Logger;
}

export interface Database {
  store: PgConfigStore;
  /** Which database and schema, without credentials: `host:port/database#schema`. */
  origin: string;
  /** Creates or upgrades the store's tables; the error names the database (without its password). */
  migrate(): Promise<void>;
  /** Ends the pool (after the store's subscriptions were stopped by their owners). */
  close(): Promise<void>;
}

/**
 * Longest wait between attempts to re-open the LISTEN connection. The store's default (10 s) could
 * leave a replica up to 10 s behind once PostgreSQL is back after a long outage (the poller's own
 * retries back off to the poll interval, 5 s); with 2 s, a replica re-checks within ~2 s of its return.
 */
const LISTEN_RETRY_CAP_MS = 2_000;
/** Connections per process: the poller, the LISTEN connection and API writes share them. */
const POOL_SIZE = 5;

/**
 * A pool and a `PgConfigStore` in `schema`, without touching the database yet. An idle client's
 * error (the server restarted, a backend was terminated) is logged, not thrown: the pool replaces
 * the client on next use.
 */
export function createDatabase(opts: DatabaseOptions): Database {
  const { url, schema, logger, ...timeouts } = opts;
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    // Opening a connection is bounded like waiting for one (the store's connectTimeoutMs).
    connectionTimeoutMillis: timeouts.connectTimeoutMs ?? 5_000,
  });
  // An idle client's error, the store's LISTEN connection state: at debug. A database that went away
  // is said once by the poller ("… still serving the last good config") and once when it is back
  // (runtime.ts); these said it again, per idle client and per LISTEN retry (two WARN lines every
  // 1–2 s on a replica whose database was gone). A lost LISTEN alone reconnects within
  // LISTEN_RETRY_CAP_MS while polling carries on.
  pool.on('error', (error) =>
    logger?.debug({ err: error.message }, `idle database connection lost: ${error.message}`),
  );
  const store = new PgConfigStore(pool, {
    schema,
    maxReconnectDelayMs: LISTEN_RETRY_CAP_MS,
    ...timeouts,
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
  return {
    store,
    origin: storeOrigin(url, schema),
    migrate: async () => {
      try {
        await store.migrate();
      } catch (error) {
        throw new Error(`cannot use the database at ${redactUrl(url)}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    close: () => pool.end(),
  };
}

/** `createDatabase`, migrated; the pool is ended again when that fails (the CLI's store commands). */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  const db = createDatabase(opts);
  try {
    await db.migrate();
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  return db;
}

/** The URL with its password replaced, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/** `host:port/database#schema`: names a store without credentials (a local snapshot records it). */
export function storeOrigin(url: string, schema: string): string {
  try {
    const { host, pathname } = new URL(url);
    return `${host}${pathname}#${schema}`;
  } catch {
    return `${redactUrl(url)}#${schema}`;
  }
}
