import { UsageError } from '../serve/options.js';
import { type Database, openDatabase, type StoreTimeouts } from './database.js';
import { embeddedUrl, runningServer } from './embedded.js';
import { DEFAULT_DATA_DIR, findDataDir } from './find-data-dir.js';

export interface DatabaseFlags {
  databaseUrl?: string;
  dbSchema: string;
  /**
   * Where `cfg serve --store embedded` keeps its cluster, to find a running one.
   * @defaultValue the nearest `.data/pg` in the working directory or above
   */
  dataDir?: string;
  /** `--db-statement-timeout-ms` and friends: bounds on every store call (see `PgConfigStoreOptions`). */
  dbStatementTimeoutMs?: number;
  dbLockTimeoutMs?: number;
  dbConnectTimeoutMs?: number;
}

/**
 * The database of the CLI's store commands: `--database-url` (or `CFG_DATABASE_URL`), else the
 * embedded PostgreSQL a running `cfg serve --store embedded` (`pnpm start`) has in `--data-dir`.
 */
export async function connectForCommand(flags: DatabaseFlags): Promise<Database> {
  let url = flags.databaseUrl;
  if (!url) {
    const dataDir = flags.dataDir ?? (await findDataDir(process.cwd()));
    const running = dataDir ? await runningServer(dataDir) : undefined;
    if (!running) {
      const where = dataDir
        ? `so it runs in ${dataDir}`
        : `(no ${DEFAULT_DATA_DIR} in ${process.cwd()} or above; --data-dir says where)`;
      throw new UsageError(
        `no database: pass --database-url (or set CFG_DATABASE_URL), or start the server with the embedded one (pnpm start) ${where}`,
      );
    }
    url = embeddedUrl(running.port);
  }
  return openDatabase({ url, schema: flags.dbSchema, ...storeTimeouts(flags) });
}

/** The store timeouts the flags set (an option left unset keeps the store's default). */
export function storeTimeouts(flags: Omit<DatabaseFlags, 'dbSchema' | 'dataDir'>): StoreTimeouts {
  const timeouts: StoreTimeouts = {};
  if (flags.dbStatementTimeoutMs !== undefined) timeouts.statementTimeoutMs = flags.dbStatementTimeoutMs;
  if (flags.dbLockTimeoutMs !== undefined) timeouts.lockTimeoutMs = flags.dbLockTimeoutMs;
  if (flags.dbConnectTimeoutMs !== undefined) timeouts.connectTimeoutMs = flags.dbConnectTimeoutMs;
  return timeouts;
}

/** Runs `fn` with a connected store and always closes it. */
export async function withDatabase<T>(flags: DatabaseFlags, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await connectForCommand(flags);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
