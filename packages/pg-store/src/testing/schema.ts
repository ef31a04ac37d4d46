import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where `setup` leaves the chosen server's URL for the test workers. */
export const TEST_DATABASE_URL_ENV = 'CFG_TEST_DATABASE_URL';

export interface TestSchema {
  /** The test server's connection string. */
  url: string;
  /** A fresh, empty schema with a random name (`cfg_test_…`), so test files never collide. */
  schema: string;
  /** A pool on `url`, ended by `drop()`. */
  pool: pg.Pool;
  /** Drops the schema with everything in it and ends the pool. */
  drop(): Promise<void>;
}

export interface TestDatabase {
  /** Connection string of the new database. */
  url: string;
  /** Its random name (`cfg_test_…`). */
  database: string;
  /** Drops the database, closing any connection still open to it. */
  drop(): Promise<void>;
}

/** The URL `setup` chose. Throws (saying how to fix it) when the globalSetup did not run. */
export function testDatabaseUrl(): string {
  const url = process.env[TEST_DATABASE_URL_ENV];
  if (!url) {
    throw new Error(
      `${TEST_DATABASE_URL_ENV} is not set: add globalSetup: ['@cfg/pg-store/testing'] to vitest.config.ts`,
    );
  }
  return url;
}

/**
 * A random, empty schema on the test server and a pool to use it; call `drop()` in `afterAll`.
 * @param opts.poolSize `max` of the pool. @defaultValue `10`
 */
export async function createTestSchema(opts: { poolSize?: number } = {}): Promise<TestSchema> {
  const url = testDatabaseUrl();
  const schema = _randomName();
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
  await pool.query(`create schema ${schema}`);
  return {
    url,
    schema,
    pool,
    drop: async () => {
      try {
        await pool.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await pool.end();
      }
    },
  };
}

/** A random, empty database on the test server; call `drop()` in `afterAll`. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const url = testDatabaseUrl();
  const database = _randomName();
  await _withAdmin(url, (client) => client.query(`create database ${database}`));
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${database}`;
  return {
    url: dbUrl.toString(),
    database,
    drop: async () => {
      await _withAdmin(url, (client) => client.query(`drop database if exists ${database} with (force)`));
    },
  };
}

async function _withAdmin(url: string, fn: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}

/** Lower-case letters, digits and `_` only, so it needs no quoting anywhere. */
function _randomName(): string {
  return `cfg_test_${randomBytes(6).toString('hex')}`;
}
