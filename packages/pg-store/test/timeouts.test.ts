import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PgConfigStore, type PgConfigStoreOptions, StoreTimeoutError } from '../src/index.js';
import { createTestStore, type TestStore } from './helpers.js';

const LOCK_MS = 200;
const CONNECT_MS = 300;
/** Generous ceiling for "gave up in bounded time": far below the lock holders' patience. */
const CEILING_MS = 5_000;

let t: TestStore;
beforeAll(async () => {
  t = await createTestStore({
    lockTimeoutMs: LOCK_MS,
    statementTimeoutMs: 5_000,
    connectTimeoutMs: CONNECT_MS,
  });
});
afterAll(() => t.db.drop());

/** Connections opened by a test: each holds a lock in an open transaction until the test ends. */
const holders: pg.Client[] = [];
afterEach(async () => {
  await Promise.all(holders.splice(0).map((c) => c.end()));
});

/** Another session that takes `sql`'s lock in an open transaction and keeps it until the test ends. */
async function holdLock(sql: string, values: unknown[] = []): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: t.db.url });
  await client.connect();
  holders.push(client);
  await client.query('begin');
  await client.query(sql, values);
  return client;
}
const holdRowLock = (key: string) =>
  holdLock(`select 1 from ${t.db.schema}.documents where key = $1 for update`, [key]);
const holdTableLock = () =>
  holdLock(`lock table ${t.db.schema}.documents, ${t.db.schema}.history in access exclusive mode`);

/** `promise`, or a rejection saying it still waits after `ms`: a hang fails the test instead of timing it out. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function versionOf(key: string): Promise<number | undefined> {
  const { rows } = await t.db.pool.query<{ version: number }>(
    `select max(version) as version from ${t.db.schema}.history where key = $1`,
    [key],
  );
  return rows[0]?.version;
}

/** A store on a pool of one connection, which the test can hold so that nothing else gets it. */
async function singleConnectionStore(opts: PgConfigStoreOptions = {}) {
  const pool = new pg.Pool({ connectionString: t.db.url, max: 1 });
  const store = new PgConfigStore(pool, {
    schema: t.db.schema,
    connectTimeoutMs: CONNECT_MS,
    lockTimeoutMs: LOCK_MS,
    ...opts,
  });
  return { pool, store, end: () => pool.end() };
}

describe('a write blocked by another transaction', () => {
  it('gives up after lockTimeoutMs with StoreTimeoutError (lock), and stores nothing', async () => {
    await t.store.putDocument('lock/put', 'v: 1\n');
    const holder = await holdRowLock('lock/put');
    const started = performance.now();
    const error = await within(CEILING_MS, t.store.putDocument('lock/put', 'v: 2\n')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreTimeoutError);
    expect(error).toMatchObject({ code: 'CFG_PG_TIMEOUT', phase: 'lock', timeoutMs: LOCK_MS });
    expect((error as Error).message).toMatch(/lockTimeoutMs.*nothing was written/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(LOCK_MS - 20);
    await holder.query('commit');
    expect(await versionOf('lock/put')).toBe(1);
    // The connection that timed out is fine: the next write goes through.
    expect((await t.store.putDocument('lock/put', 'v: 2\n')).version).toBe(2);
  });

  it('the locking path (create-only, rollback, delete) gives up the same way', async () => {
    await t.store.putDocument('lock/paths', 'v: 1\n');
    await t.store.putDocument('lock/paths', 'v: 2\n');
    await holdRowLock('lock/paths');
    for (const attempt of [
      (): Promise<unknown> => t.store.putDocument('lock/paths', 'v: 3\n', { expectedVersion: 2 }),
      () => t.store.rollback('lock/paths', 1),
      () => t.store.deleteDocument('lock/paths'),
    ]) {
      await expect(within(CEILING_MS, attempt())).rejects.toMatchObject({ phase: 'lock' });
    }
    expect(await versionOf('lock/paths')).toBe(2);
  });

  it('without a lock timeout, statementTimeoutMs bounds it (StoreTimeoutError, statement)', async () => {
    const { store, end } = await singleConnectionStore({ lockTimeoutMs: 0, statementTimeoutMs: 300 });
    try {
      await store.putDocument('lock/statement', 'v: 1\n');
      await holdRowLock('lock/statement');
      const error = await within(CEILING_MS, store.putDocument('lock/statement', 'v: 2\n')).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'CFG_PG_TIMEOUT', phase: 'statement', timeoutMs: 300 });
    } finally {
      await end();
    }
    expect(await versionOf('lock/statement')).toBe(1);
  });
});

describe('a read blocked by a table lock', () => {
  it('getDocument, getDocumentHash, history and listDocuments give up after lockTimeoutMs', async () => {
    await t.store.putDocument('lock/read', 'v: 1\n');
    await holdTableLock();
    for (const attempt of [
      (): Promise<unknown> => t.store.getDocument('lock/read'),
      () => t.store.getDocumentHash('lock/read'),
      () => t.store.history('lock/read'),
      () => t.store.listDocuments(),
    ]) {
      await expect(within(CEILING_MS, attempt())).rejects.toBeInstanceOf(StoreTimeoutError);
    }
  });
});

describe('waiting for a pool connection', () => {
  it('gives up after connectTimeoutMs with StoreTimeoutError (connect), then works once one is free', async () => {
    const { pool, store, end } = await singleConnectionStore();
    try {
      await store.putDocument('connect/a', 'v: 1\n');
      const held = await pool.connect();
      const error = await within(CEILING_MS, store.getDocument('connect/a')).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'CFG_PG_TIMEOUT', phase: 'connect', timeoutMs: CONNECT_MS });
      held.release();
      expect((await store.getDocument('connect/a'))?.version).toBe(1);
    } finally {
      await end();
    }
  });

  it("the pool's own connect timeout (connectionTimeoutMillis) is reported the same way", async () => {
    const pool = new pg.Pool({ connectionString: t.db.url, max: 1, connectionTimeoutMillis: 100 });
    const store = new PgConfigStore(pool, { schema: t.db.schema, connectTimeoutMs: 0 });
    try {
      const held = await pool.connect();
      const error = await within(CEILING_MS, store.getDocumentHash('connect/a')).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'CFG_PG_TIMEOUT', phase: 'connect' });
      held.release();
    } finally {
      await pool.end();
    }
  });
});

describe('WriteOptions.signal: a write called off before it started stores nothing', () => {
  it('already aborted: rejects with the reason at once', async () => {
    const reason = new Error('the client went away');
    await expect(
      t.store.putDocument('signal/before', 'v: 1\n', { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    expect(await versionOf('signal/before')).toBeNull();
  });

  it('aborted while waiting for a connection: rejects at once, and the late connection writes nothing', async () => {
    const { pool, store, end } = await singleConnectionStore({ connectTimeoutMs: 0 });
    try {
      await store.putDocument('signal/waiting', 'v: 1\n');
      const held = await pool.connect();
      const controller = new AbortController();
      const write = store.putDocument('signal/waiting', 'v: 2\n', { signal: controller.signal });
      const reason = new Error('shutting down');
      controller.abort(reason);
      await expect(within(CEILING_MS, write)).rejects.toBe(reason);
      held.release();
      // The connection reaches the abandoned waiter first, which hands it straight back.
      expect((await store.getDocument('signal/waiting'))?.version).toBe(1);
    } finally {
      await end();
    }
    expect(await versionOf('signal/waiting')).toBe(1);
  });

  it('not aborted: the signal changes nothing', async () => {
    const written = await t.store.putDocument('signal/none', 'v: 1\n', {
      signal: new AbortController().signal,
    });
    expect(written.version).toBe(1);
  });
});

describe('session settings', () => {
  it('sets statement_timeout and lock_timeout on the connections it uses (0 leaves a setting alone)', async () => {
    const shows = async (opts: PgConfigStoreOptions) => {
      const { pool, store, end } = await singleConnectionStore(opts);
      try {
        await store.getDocumentHash('settings/any');
        const { rows } = await pool.query<{ statement: string; lock: string }>(
          "select current_setting('statement_timeout') as statement, current_setting('lock_timeout') as lock",
        );
        return rows[0];
      } finally {
        await end();
      }
    };
    expect(await shows({ statementTimeoutMs: 4_000, lockTimeoutMs: 1_500 })).toEqual({
      statement: '4s',
      lock: '1500ms',
    });
    expect(await shows({ statementTimeoutMs: 0, lockTimeoutMs: 0 })).toEqual({ statement: '0', lock: '0' });
  });
});
