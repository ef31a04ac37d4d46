import pg from 'pg';
import { type RunningServer, startEmbeddedPostgres } from './embedded.js';
import { TEST_DATABASE_URL_ENV } from './schema.js';

/** Tried when `DATABASE_URL` is not set: the usual local server, trust auth. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Vitest `globalSetup`: picks a PostgreSQL server once per run and hands its URL to every test file
 * (`testDatabaseUrl()`, `createTestSchema()`). In order: `CFG_TEST_PG=embedded` forces an embedded
 * server; else `DATABASE_URL` (must work); else `DEFAULT_DATABASE_URL` if it answers within 2 s;
 * else an embedded server. An embedded server is stopped by the returned teardown. Never skips:
 * when no server can be had, the run fails and says why.
 */
export async function setup(): Promise<() => Promise<void>> {
  const server = await _chooseServer();
  process.env[TEST_DATABASE_URL_ENV] = server.url;
  return () => server.stop();
}

async function _chooseServer(): Promise<RunningServer> {
  const mode = process.env.CFG_TEST_PG;
  if (mode === 'embedded') return _embedded('CFG_TEST_PG=embedded');
  if (mode) throw new Error(`CFG_TEST_PG="${mode}" is not understood: use "embedded", or leave it unset`);
  const configured = process.env.DATABASE_URL;
  if (configured) {
    await _ping(configured, 10_000).catch((error: unknown) => {
      throw new Error(`DATABASE_URL is set but PostgreSQL did not answer there: ${String(error)}`, {
        cause: error,
      });
    });
    _announce(`using DATABASE_URL (${_redact(configured)})`);
    return { url: configured, stop: async () => undefined };
  }
  const reachable = await _ping(DEFAULT_DATABASE_URL, 2_000).then(
    () => true,
    () => false,
  );
  if (reachable) {
    _announce(`using ${DEFAULT_DATABASE_URL}`);
    return { url: DEFAULT_DATABASE_URL, stop: async () => undefined };
  }
  return _embedded(`no DATABASE_URL and nothing answered at ${DEFAULT_DATABASE_URL}`);
}

async function _embedded(why: string): Promise<RunningServer> {
  _announce(`starting embedded PostgreSQL (${why})`);
  const server = await startEmbeddedPostgres();
  _announce(`embedded PostgreSQL is up at ${_redact(server.url)}`);
  return server;
}

async function _ping(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined); // a failed connect rejects `connect()`; nothing else to report
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Test tooling, not the library: one line on stderr says which server the run uses. */
function _announce(message: string): void {
  console.error(`[@cfg/pg-store/testing] ${message}`);
}

function _redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
