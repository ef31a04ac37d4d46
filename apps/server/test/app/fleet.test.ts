import { readFile } from 'node:fs/promises';
import { PgConfigStore } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDatabaseApp, buildTestApp } from '../helpers/app.js';
import { FIXTURE_FILE } from '../helpers/configs.js';

let db: TestSchema;
let store: PgConfigStore;
beforeAll(async () => {
  db = await createTestSchema({ poolSize: 4 });
  store = new PgConfigStore(db.pool, { schema: db.schema });
  await store.migrate();
});
afterAll(() => db.drop());

let keys = 0;
/** A database-mode app on a fresh document, with the fleet routes on the same store. */
async function fleetApp() {
  const key = `fleet-${++keys}`;
  return buildDatabaseApp(store, key, await readFile(FIXTURE_FILE, 'utf8'), {
    fleet: { store, instanceId: `self-${keys}` },
  });
}

const register = (key: string, id: string, version: number) =>
  store.registerInstance({ id, key, host: 'h', pid: 1, mode: 'database', version, labels: { name: id } });

describe('GET /api/v1/fleet', () => {
  it('lists the instances on this document with what they run, their lag, and counts per version', async () => {
    const { app, reader, key } = await fleetApp();
    await register(key, `${key}-a`, 1);
    await store.putDocument(key, 'modules: []\n');
    const res = await app.inject({ method: 'GET', url: '/api/v1/fleet', headers: reader });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ self: `self-${keys}`, key, newestVersion: 2 });
    expect(body.instances).toEqual([
      expect.objectContaining({
        id: `${key}-a`,
        state: 'live',
        version: 1,
        lag: 1,
        labels: { name: `${key}-a` },
      }),
    ]);
    expect(body.versions.map((v: { version: number; counts: object }) => [v.version, v.counts])).toEqual([
      [2, { applied: 0, rejected: 0, superseded: 0, pending: 1 }],
      [1, { applied: 1, rejected: 0, superseded: 0, pending: 0 }],
    ]);
  });

  it('needs a read token; 409 without a store (file mode)', async () => {
    const { app } = await fleetApp();
    expect((await app.inject({ method: 'GET', url: '/api/v1/fleet' })).statusCode).toBe(401);
    const file = await buildTestApp();
    const res = await file.app.inject({ method: 'GET', url: '/api/v1/fleet', headers: file.reader });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'CFG_ERR_NOT_PERSISTENT' });
  });
});

describe('GET /api/v1/fleet/versions/:version', () => {
  it('answers at once without ?wait, and waits for the verdict with it', async () => {
    const { app, reader, key } = await fleetApp();
    await register(key, `${key}-a`, 1);
    await store.putDocument(key, 'modules: []\n');
    const now = await app.inject({ method: 'GET', url: '/api/v1/fleet/versions/2', headers: reader });
    expect(now.json()).toMatchObject({ key, version: 2, state: 'pending' });

    const waiting = app.inject({ method: 'GET', url: '/api/v1/fleet/versions/2?wait=20', headers: reader });
    await store.reportOutcome({
      instanceId: `${key}-a`,
      key,
      version: 2,
      outcome: 'rejected',
      errorCode: 'CFG_VALIDATION',
    });
    const res = await waiting;
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      state: 'rejected',
      instances: [
        { status: 'rejected', instance: { id: `${key}-a` }, outcome: { errorCode: 'CFG_VALIDATION' } },
      ],
    });
  });

  it('times out with the pending instances; 404 for a version that does not exist; bounded wait', async () => {
    const { app, reader, key } = await fleetApp();
    await register(key, `${key}-slow`, 0 + 1);
    await store.putDocument(key, 'modules: []\n');
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/fleet/versions/2?wait=0.2',
      headers: reader,
    });
    expect(res.json()).toMatchObject({ state: 'pending', instances: [{ status: 'pending' }] });
    const missing = await app.inject({ method: 'GET', url: '/api/v1/fleet/versions/99', headers: reader });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'CFG_ERR_VERSION_NOT_FOUND' });
    const tooLong = await app.inject({
      method: 'GET',
      url: '/api/v1/fleet/versions/2?wait=301',
      headers: reader,
    });
    expect(tooLong.statusCode).toBe(400);
  });

  it('a wait in progress ends with 503 when the server closes', async () => {
    const { app, reader, key, runtime } = await fleetApp();
    await register(key, `${key}-b`, 1);
    await store.putDocument(key, 'modules: []\n');
    const waiting = app.inject({ method: 'GET', url: '/api/v1/fleet/versions/2?wait=60', headers: reader });
    // The wait is under way once it LISTENs for outcome reports.
    await expect
      .poll(async () => {
        const { rowCount } = await db.pool.query('select 1 from pg_stat_activity where query = $1', [
          `listen "${db.schema}_fleet"`,
        ]);
        return rowCount;
      })
      .toBe(1);
    runtime.beginShutdown();
    const closing = app.close();
    const res = await waiting;
    await closing;
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'CFG_ERR_SHUTTING_DOWN' });
  });
});

describe('GET /api/v1/me', () => {
  it("says the token's name and role", async () => {
    const { app, reader, admin } = await buildTestApp();
    expect((await app.inject({ method: 'GET', url: '/api/v1/me', headers: reader })).json()).toEqual({
      name: 'viewer',
      role: 'read',
    });
    expect((await app.inject({ method: 'GET', url: '/api/v1/me', headers: admin })).json()).toEqual({
      name: 'root',
      role: 'admin',
    });
    expect((await app.inject({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
  });
});
