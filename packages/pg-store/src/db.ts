import { createHash } from 'node:crypto';
import type { DatabaseError, Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { InvalidKeyError, NotMigratedError, StoreTimeoutError } from './errors.js';
import type { ResolvedOptions } from './options.js';

/** What a query function needs: a `pg.Pool` or a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(config: QueryConfig<unknown[]>): Promise<QueryResult<R>>;
}

const statementNames = new Map<string, string>();

/**
 * Runs one of the store's queries, by default as a named prepared statement: PostgreSQL parses and
 * plans it once per connection. The name is a hash of the text, so two copies of this package
 * sharing a pool never disagree about a name. `preparedStatements: false` sends plain queries.
 */
export function query<R extends QueryResultRow>(
  opts: ResolvedOptions,
  db: Queryable,
  text: string,
  values: unknown[],
): Promise<QueryResult<R>> {
  if (!opts.preparedStatements) return db.query<R>({ text, values });
  let name = statementNames.get(text);
  if (!name) {
    name = `cfg_pg_store_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return db.query<R>({ name, text, values });
}

/** SQLSTATEs meaning "the store's schema or tables are not there". */
const MISSING_SCHEMA_CODES = ['42P01', '3F000'];
const CHECK_VIOLATION = '23514';
/** `lock_timeout` ran out. */
const LOCK_NOT_AVAILABLE = '55P03';
/** A cancelled statement: `statement_timeout`, or someone's `pg_cancel_backend`. */
const QUERY_CANCELED = '57014';

/** The session settings each connection gets once, before the store's first query on it. */
const configured = new WeakMap<PoolClient, string>();

/**
 * A client from the pool within `connectTimeoutMs`, with the store's `statement_timeout` and
 * `lock_timeout` set on it (once per connection: they are session settings, so they stay). An
 * aborted `signal` rejects with its reason, also while waiting; a client that arrives after the
 * caller gave up goes straight back to the pool.
 */
export async function checkout(pool: Pool, opts: ResolvedOptions, signal?: AbortSignal): Promise<PoolClient> {
  signal?.throwIfAborted();
  const client = await _connectWithin(pool, opts, signal);
  _guard(client);
  try {
    const settings = _sessionSettings(opts);
    if (settings && configured.get(client) !== settings) {
      await client.query(settings);
      configured.set(client, settings);
    }
    signal?.throwIfAborted();
  } catch (error) {
    client.release(signal?.aborted ? undefined : (error as Error));
    throw error;
  }
  return client;
}

/** Runs `fn` on one checked-out client (see `checkout`) and always gives it back. */
export async function withClient<T>(
  pool: Pool,
  opts: ResolvedOptions,
  fn: (client: PoolClient) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const client = await checkout(pool, opts, signal);
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

/**
 * Runs `fn` in one transaction on one client. READ COMMITTED is explicit: the write path re-reads
 * rows that concurrent writers committed (see `store.ts`), which a stricter default would forbid.
 */
export async function withTransaction<T>(
  pool: Pool,
  opts: ResolvedOptions,
  fn: (client: PoolClient) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const client = await checkout(pool, opts, signal);
  let broken: Error | undefined;
  try {
    await client.query('begin isolation level read committed');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch((rollbackError: Error) => {
      broken = rollbackError; // the connection is unusable: destroy it rather than pool it
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Turns PostgreSQL errors with a known meaning into this package's errors; others pass through. */
export function translatePgError(error: unknown, opts: ResolvedOptions, key?: unknown): unknown {
  const e = error as Partial<DatabaseError> | null;
  const code = e?.code;
  if (code && MISSING_SCHEMA_CODES.includes(code)) return new NotMigratedError(opts.schema, { cause: error });
  if (code === CHECK_VIOLATION && (error as DatabaseError).constraint?.endsWith('_key_format')) {
    return new InvalidKeyError(key, { cause: error });
  }
  if (code === LOCK_NOT_AVAILABLE) return new StoreTimeoutError('lock', opts.lockTimeoutMs, { cause: error });
  if (code === QUERY_CANCELED && /statement timeout/.test(e?.message ?? '')) {
    return new StoreTimeoutError('statement', opts.statementTimeoutMs, { cause: error });
  }
  return error;
}

const guarded = new WeakSet<PoolClient>();

/**
 * PostgreSQL may end a connection between two queries of a checked-out client (a shutdown,
 * `pg_terminate_backend`, a failover); pg then emits `error` on the client, and an `error` event
 * nobody listens to ends the process. The pool listens only while a client is idle, so the store
 * listens for the rest of the client's life. Nothing to do in it: a query in flight gets the error
 * itself, the client is no longer queryable, and the pool drops such a client when it comes back.
 */
function _guard(client: PoolClient): void {
  if (guarded.has(client)) return;
  guarded.add(client);
  client.on('error', () => {});
}

/** `set …` for the timeouts the store manages (`0` = leave that one alone); empty when none. */
function _sessionSettings(opts: ResolvedOptions): string {
  const settings: string[] = [];
  // Integers checked by resolveOptions, so they can be part of the text.
  if (opts.statementTimeoutMs > 0) settings.push(`set statement_timeout = ${opts.statementTimeoutMs}`);
  if (opts.lockTimeoutMs > 0) settings.push(`set lock_timeout = ${opts.lockTimeoutMs}`);
  return settings.join('; ');
}

/**
 * `pool.connect()`, bounded by `connectTimeoutMs` and `signal`. Not `@cfg/source`'s
 * `runWithTimeout`: this package may use `@cfg/source`'s types only, and a client that arrives after
 * the caller gave up must go back to the pool.
 */
function _connectWithin(
  pool: Pool,
  opts: ResolvedOptions,
  signal: AbortSignal | undefined,
): Promise<PoolClient> {
  const pending = pool.connect();
  const { connectTimeoutMs } = opts;
  if (connectTimeoutMs === 0 && !signal) {
    return pending.catch((error: unknown) => {
      throw _connectError(error, opts);
    });
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = () => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const giveUp = (reason: unknown) => {
      if (settled) return;
      finish();
      reject(reason);
      pending.then(
        (late) => late.release(),
        () => {},
      );
    };
    const onAbort = () => giveUp(signal!.reason);
    const timer =
      connectTimeoutMs > 0
        ? setTimeout(
            () => giveUp(new StoreTimeoutError('connect', connectTimeoutMs)),
            connectTimeoutMs,
          ).unref()
        : undefined;
    signal?.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (client) => {
        if (settled) return; // given up: `giveUp` releases it
        finish();
        resolve(client);
      },
      (error: unknown) => {
        if (settled) return;
        finish();
        reject(_connectError(error, opts));
      },
    );
  });
}

/**
 * `pg`'s own connect timeouts (the pool's `connectionTimeoutMillis`) carry no code, only a message;
 * they mean what `StoreTimeoutError('connect')` means.
 */
function _connectError(error: unknown, opts: ResolvedOptions): unknown {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e && e.code === undefined && typeof e.message === 'string' && /timeout/i.test(e.message)) {
    return new StoreTimeoutError('connect', opts.connectTimeoutMs, { cause: error });
  }
  return error;
}
