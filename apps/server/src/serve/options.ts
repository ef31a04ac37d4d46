/** `cfg serve` options after commander (flags, then env, then defaults). */
export interface ServeOptions {
  port: number;
  host: string;
  config?: string;
  watch: boolean;
  /** `none`, `embedded`, or a PostgreSQL URL (same as --database-url). */
  store: string;
  databaseUrl?: string;
  key: string;
  overlayKey?: string;
  dbSchema: string;
  dataDir: string;
  embeddedPort: number;
  pollIntervalMs: number;
  /** Listen for PostgreSQL NOTIFY (`--no-notify`: poll only). */
  notify: boolean;
  /** The largest config document accepted from any input, in bytes (`MAX_DOCUMENT_BYTES` by default). */
  maxDocumentBytes: number;
  /** Where the local last-known-good snapshots go (`--snapshot-dir`). */
  snapshotDir: string;
  /** Keep a local snapshot and start from it when the database is unreachable (`--no-snapshot`: off). */
  snapshot: boolean;
  /** Store call bounds; unset keeps the store's defaults. */
  dbStatementTimeoutMs?: number;
  dbLockTimeoutMs?: number;
  dbConnectTimeoutMs?: number;
  tokensFile?: string;
  /** Open TCP connections at most (`BuildOptions.maxConnections`). */
  maxConnections: number;
  /** Open event streams at most (`BuildOptions.maxEventStreams`). */
  maxSseClients: number;
  /** Time for a whole request to arrive (`BuildOptions.requestTimeoutMs`). */
  requestTimeoutMs: number;
  /** `--label name=value` (repeatable) / `CFG_LABELS`: shown in the fleet. */
  label?: Record<string, string>;
  /** Fleet heartbeat interval; the instance counts as gone after 3 missed. */
  fleetHeartbeatMs: number;
  /** `--module-types`: the built-in module types this server may run (default: all). */
  moduleTypes?: string[];
  /** `--secret-dir` (repeatable): directories `${file:…}` references may read. */
  secretDir?: string[];
  /** `--secret-env`: variables `${env:…}` references may read (names, `PREFIX_*`, `*`). */
  secretEnv?: string[];
  /** `--no-references`: `${` is plain text (references are on by default, allowing nothing). */
  references: boolean;
  logLevel: string;
  logFormat?: 'json' | 'pretty';
}

/** Where the config comes from, decided once from the options. */
export type ServeMode =
  | { kind: 'file'; config: string; watch: boolean }
  | { kind: 'database'; key: string; seed?: string }
  | { kind: 'overlay'; config: string; overlayKey: string; watch: boolean };

/** Which PostgreSQL, if any. */
export type StoreChoice = { kind: 'none' } | { kind: 'embedded' } | { kind: 'url'; url: string };

/** A mistake in the flags; the CLI prints the message and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function chooseStore(opts: Pick<ServeOptions, 'store' | 'databaseUrl'>): StoreChoice {
  if (opts.databaseUrl) return { kind: 'url', url: opts.databaseUrl };
  if (opts.store === 'none') return { kind: 'none' };
  if (opts.store === 'embedded') return { kind: 'embedded' };
  if (/^postgres(ql)?:\/\//.test(opts.store)) return { kind: 'url', url: opts.store };
  throw new UsageError(`--store must be "embedded", "none" or a postgres:// URL, not "${opts.store}"`);
}

/**
 * - no store: the file is the config (`--config`, watched with `--watch`);
 * - a store and `--overlay-key`: the file is the base, the stored overlay holds API writes on top;
 * - a store alone: the stored document `--key` is the config (`--config` seeds it when it is missing).
 */
export function chooseMode(opts: ServeOptions, store: StoreChoice): ServeMode {
  if (store.kind === 'none') {
    if (!opts.config)
      throw new UsageError(
        'without a database, --config <file> is required (or give --database-url / --store embedded)',
      );
    if (opts.overlayKey)
      throw new UsageError('--overlay-key needs a database: add --database-url or --store embedded');
    return { kind: 'file', config: opts.config, watch: opts.watch };
  }
  if (opts.overlayKey) {
    if (!opts.config)
      throw new UsageError('--overlay-key needs --config <file>: the base the overlay goes on');
    return { kind: 'overlay', config: opts.config, overlayKey: opts.overlayKey, watch: opts.watch };
  }
  if (opts.watch)
    throw new UsageError('--watch watches a file: use it with --overlay-key, or without a database');
  return { kind: 'database', key: opts.key, ...(opts.config ? { seed: opts.config } : {}) };
}
