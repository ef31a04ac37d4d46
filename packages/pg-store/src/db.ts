import { createHash } from 'node:crypto';
import type { DatabaseError, Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { InvalidKeyError, NotMigratedError } from './errors.js';
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

/**
 * Runs `fn` in one transaction on one client. READ COMMITTED is explicit: the write path re-reads
 * rows that concurrent writers committed (see `store.ts`), which a stricter default would forbid.
 */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
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
export function translatePgError(error: unknown, schema: string, key?: unknown): unknown {
  const code = (error as Partial<DatabaseError> | null)?.code;
  if (code && MISSING_SCHEMA_CODES.includes(code)) return new NotMigratedError(schema, { cause: error });
  if (code === CHECK_VIOLATION && (error as DatabaseError).constraint?.endsWith('_key_format')) {
    return new InvalidKeyError(key, { cause: error });
  }
  return error;
}
