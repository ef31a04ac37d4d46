import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { PgConfigStore, type PgConfigStoreOptions } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import { DatabaseSource } from '@cfg/source';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN, buildTestApp } from '../helpers/app.js';
import { FIXTURE_FILE } from '../helpers/configs.js';
import { documentWriter } from '../helpers/document-writer.js';

/**
 * A stalled or broken database never hangs the server or turns into a 500 (real PostgreSQL, real
 * HTTP on 127.0.0.1). Locks are held from another connection (`LOCK TABLE`, `SELECT … FOR UPDATE`)
 * to stall the store; a schema without tables, a role without privileges and a pool with no free
 * connection break it. Every wait in these tests has a ceiling far below the lock holders' patience,
 * so a server that waits on the database fails them instead of hanging.
 */

const LOCK_MS = 300;
const CEILING_MS = 3_000;

let db: TestSchema;
let fixture: string;
beforeAll(async () => {
  db = await createTestSchema({ poolSize: 4 });
  await new PgConfigStore(db.pool, { schema: db.schema }).migrate();
  fixture = await readFile(FIXTURE_FILE, 'utf8');
});
afterAll(() => db.drop());

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

let keys = 0;
/**
 * A listening app in database mode on a fresh document (seeded and first read as the test's
 * superuser), whose API goes through `pool` (default: a pool of its own) and a store in `schema`
 * with short timeouts.
 */
async function storedApp(opts: { pool?: pg.Pool; schema?: string; store?: PgConfigStoreOptions } = {}) {
  const pool = opts.pool ?? new pg.Pool({ connectionString: db.url, max: 4 });
  if (!opts.pool) cleanups.push(() => pool.end());
  const key = `stall-${++keys}`;
  const seeding = new PgConfigStore(db.pool, { schema: db.schema });
  await seeding.putDocument(key, fixture, { actor: 'seed' });
  const initial = await new DatabaseSource(seeding, { key }).load();
  const store = new PgConfigStore(pool, {
    schema: opts.schema ?? db.schema,
    lockTimeoutMs: LOCK_MS,
    connectTimeoutMs: 500,
    ...opts.store,
  });
  const { source, writer } = documentWriter(store, key);
  const built = await buildTestApp({ writer, config: initial.config, version: initial.version });
  await built.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = built.app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  /** A request that fails the test if it is not answered within the ceiling. */
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...init.headers },
      signal: init.signal ?? AbortSignal.timeout(CEILING_MS),
    });
  return { ...built, store, key, source, call };
}

/** Another session holding `sql`'s lock in an open transaction until the test ends. */
async function holdLock(sql: string, values: unknown[] = []): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  cleanups.push(() => client.end());
  await client.query('begin');
  await client.query(sql, values);
  return client;
}

const putGreeter = (message: string) => ({ method: 'PUT', body: JSON.stringify({ message }) });

async function versionOf(key: string): Promise<number> {
  const { rows } = await db.pool.query<{ version: number }>(
    `select max(version) as version from ${db.schema}.history where key = $1`,
    [key],
  );
  return rows[0]!.version;
}

describe('health and metrics never wait on the database', () => {
  it('answer at once while a source error is shown and the tables are locked; a store read is a bounded 503', async () => {
    const { runtime, source, call } = await storedApp();
    // A poller error is shown, so the source is re-checked in the background — against a locked table.
    runtime.sources.track('poller', source, () => 'the hash delivered before');
    runtime.sources.errorHandler(
      'poller',
      source.name,
    )(Object.assign(new Error('lost'), { code: 'ECONNRESET' }));
    await holdLock(`lock table ${db.schema}.documents, ${db.schema}.history in access exclusive mode`);

    const probes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call(['/readyz', '/healthz', '/metrics'][i % 3]!)),
    );
    expect(probes.map((r) => r.status)).toEqual(probes.map(() => 200));
    expect(await (await call('/readyz')).json()).toMatchObject({
      status: 'degraded',
      errors: ['ECONNRESET'],
    });

    // An unrelated history read after the probes: the pool is not exhausted, and the lock is a 503.
    const history = await call('/api/v1/config/history');
    expect(history.status).toBe(503);
    expect(history.headers.get('retry-after')).toBe('1');
    expect(await history.json()).toMatchObject({ code: 'CFG_ERR_SOURCE_UNAVAILABLE', retryAfterSeconds: 1 });
  });
});

describe('a write blocked by a lock', () => {
  it('answers 503 CFG_ERR_SOURCE_UNAVAILABLE with Retry-After after the lock timeout, and stores nothing', async () => {
    const { key, call } = await storedApp();
    const holder = await holdLock(`select 1 from ${db.schema}.documents where key = $1 for update`, [key]);
    const started = performance.now();
    const res = await call('/api/v1/modules/greeter/config', putGreeter('blocked'));
    const ms = performance.now() - started;
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({
      code: 'CFG_ERR_SOURCE_UNAVAILABLE',
      message: expect.stringMatching(/lockTimeoutMs/),
    });
    expect(ms).toBeGreaterThanOrEqual(LOCK_MS - 20);
    await holder.query('commit');
    expect(await versionOf(key)).toBe(1);
    // The next write, with the lock gone, is stored.
    expect((await call('/api/v1/modules/greeter/config', putGreeter('after'))).status).toBe(200);
    expect(await versionOf(key)).toBe(2);
  });

  it('a write whose client went away before its store started is not stored', async () => {
    // A long lock timeout, so the first write stays blocked while the second one's client leaves.
    const { key, call, runtime } = await storedApp({ store: { lockTimeoutMs: 10_000 } });
    const writes = vi.spyOn(runtime.writer, 'writeModuleConfig');
    const holder = await holdLock(`select 1 from ${db.schema}.documents where key = $1 for update`, [key]);
    const first = call('/api/v1/modules/greeter/config', {
      ...putGreeter('first'),
      signal: AbortSignal.timeout(15_000),
    });
    await expect.poll(() => writes.mock.calls.length).toBe(1);
    const leaving = new AbortController();
    const second = call('/api/v1/modules/greeter/config', {
      ...putGreeter('second'),
      signal: leaving.signal,
    });
    second.catch(() => {});
    await expect.poll(() => writes.mock.calls.length).toBe(2);
    leaving.abort();
    // The server saw the second client go: the signal its write carries is aborted.
    await expect.poll(() => writes.mock.calls[1]?.[3].signal?.aborted).toBe(true);
    await holder.query('commit');
    expect((await first).status).toBe(200);
    await runtime.writer.drain?.();
    expect(await versionOf(key)).toBe(2);
    expect((await runtime.writer.versions!.getVersion(2)).data).toContain('message: first');
  });
});

describe('database faults are 503, not 500', () => {
  it('missing tables (NotMigratedError)', async () => {
    const { rows } = await db.pool.query<{ name: string }>(
      `select 'cfg_test_empty_' || substr(md5(random()::text), 1, 8) as name`,
    );
    const empty = rows[0]!.name;
    await db.pool.query(`create schema ${empty}`);
    cleanups.push(() => db.pool.query(`drop schema ${empty} cascade`));
    const { call } = await storedApp({ schema: empty });
    const res = await call('/api/v1/config/history');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      code: 'CFG_ERR_SOURCE_UNAVAILABLE',
      message: expect.stringMatching(/migrate/),
    });
  });

  it('permission denied (SQLSTATE 42501)', async () => {
    const role = `cfg_test_reader_${Math.random().toString(16).slice(2, 10)}`;
    await db.pool.query(`create role ${role} login`);
    cleanups.push(() => db.pool.query(`drop role ${role}`));
    const url = new URL(db.url);
    url.username = role;
    url.password = '';
    const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
    cleanups.push(() => pool.end());
    const { call } = await storedApp({ pool });
    const res = await call('/api/v1/config/history');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      code: 'CFG_ERR_SOURCE_UNAVAILABLE',
      message: expect.stringMatching(/permission denied/),
    });
  });

  it('no pool connection within the connect timeout', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    cleanups.push(() => pool.end());
    const { call } = await storedApp({ pool });
    const held = await pool.connect();
    cleanups.push(async () => held.release());
    const res = await call('/api/v1/config/history');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      code: 'CFG_ERR_SOURCE_UNAVAILABLE',
      message: expect.stringMatching(/connectTimeoutMs/),
    });
  });
});
