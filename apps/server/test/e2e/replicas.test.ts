import { fileURLToPath } from 'node:url';
import { PgConfigStore } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, assertBuilt, ServerProcess, until } from '../helpers/server-process.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/config.yaml', import.meta.url));
const ORIGINAL = 'Hello from the test fixture';

let db: TestSchema;
let store: PgConfigStore;
let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  await assertBuilt();
  db = await createTestSchema({ poolSize: 2 });
  store = new PgConfigStore(db.pool, { schema: db.schema });
  const args = ['--database-url', db.url, '--db-schema', db.schema, '--key', 'default', '--config', FIXTURE];
  a = await ServerProcess.start(args); // seeds "default" from the example
  b = await ServerProcess.start(args); // finds it there
});
afterAll(async () => {
  await db.drop();
});

const put = (server: ServerProcess, message: string, headers: Record<string, string> = {}) =>
  server.fetch('/api/v1/modules/greeter/config', {
    method: 'PUT',
    json: { message },
    token: ADMIN_TOKEN,
    headers,
  });

describe('two replicas on one database (real processes)', () => {
  it('both serve the seeded config, version 1', async () => {
    expect(await a.hello()).toBe(ORIGINAL);
    expect(await b.hello()).toBe(ORIGINAL);
    const config = await (await b.fetch('/api/v1/config', { token: ADMIN_TOKEN })).json();
    expect(config).toMatchObject({ mode: 'database', key: 'default', version: 1 });
  });

  it('a PUT to replica A reaches replica B within 1 s (LISTEN/NOTIFY)', async () => {
    const started = performance.now();
    const res = await put(a, 'written through A');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ persisted: true, version: 2 });
    const acked = performance.now() - started;
    await until(() => b.hello(), 'written through A', 1000);
    const total = performance.now() - started;
    console.log(
      `replica propagation: PUT acknowledged by A after ${acked.toFixed(1)} ms, B served it after ${total.toFixed(1)} ms`,
    );
    expect(total).toBeLessThan(1000);
    expect((await b.waitForLog((e) => e.outcome === 'partial')).version).toBe(2);
  });

  it('412 for a stale If-Match on either replica', async () => {
    const res = await put(b, 'stale', { 'if-match': '1' });
    expect(res.status).toBe(412);
    expect(await res.json()).toMatchObject({ code: 'CFG_ERR_VERSION_CONFLICT', currentVersion: 2 });
  });

  it('a rollback through B restores the old message on both', async () => {
    const res = await b.fetch('/api/v1/config/rollback', {
      method: 'POST',
      json: { version: 1 },
      token: ADMIN_TOKEN,
    });
    expect(await res.json()).toMatchObject({ version: 3, result: { outcome: 'partial' } });
    await until(() => a.hello(), ORIGINAL);
    expect(await b.hello()).toBe(ORIGINAL);
    const history = (await (await a.fetch('/api/v1/config/history', { token: ADMIN_TOKEN })).json()) as {
      history: { op: string }[];
    };
    expect(history.history.map((h) => h.op)).toEqual(['rollback', 'update', 'create']);
  });

  it('after pg_terminate_backend of the LISTEN connections, both replicas resync', async () => {
    const killed = await db.pool.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'listen %' and query like $1`,
      [`%${db.schema}%`],
    );
    expect(killed.rowCount).toBe(2);
    // Written straight to the store while the listeners are (or were just) gone: only a
    // re-established LISTEN's re-check or the poll can bring it to the replicas.
    const current = (await store.getDocument('default'))!;
    await store.putDocument('default', current.data.replace(ORIGINAL, 'after the listeners died'), {
      actor: 'test',
    });
    await until(() => a.hello(), 'after the listeners died', 15_000);
    await until(() => b.hello(), 'after the listeners died', 15_000);
  });

  it('SIGTERM: both exit 0', async () => {
    expect(await Promise.all([a.stop(), b.stop()])).toEqual([0, 0]);
  });
});
