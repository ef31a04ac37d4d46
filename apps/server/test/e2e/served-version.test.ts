import { PgConfigStore } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_FILE, readFixture } from '../helpers/configs.js';
import { ADMIN_TOKEN, assertBuilt, ServerProcess, until } from '../helpers/server-process.js';

/**
 * The served version is the stored truth (two real replicas per mode, real PostgreSQL): after a bad
 * version is rejected, a rollback to the content that runs is a new stored version; every replica
 * must report it (`version`, `ETag`), so `If-Match` with the advertised ETag works again.
 */

let db: TestSchema;
let store: PgConfigStore;
beforeAll(async () => {
  await assertBuilt();
  db = await createTestSchema({ poolSize: 2 });
  store = new PgConfigStore(db.pool, { schema: db.schema });
  await store.migrate();
});
afterAll(() => db.drop());

const dbArgs = () => ['--database-url', db.url, '--db-schema', db.schema];

/** `GET /api/v1/config`: the version in the body and the ETag header. */
async function served(server: ServerProcess): Promise<{ version: number; etag: string | null }> {
  const res = await server.fetch('/api/v1/config', { token: ADMIN_TOKEN });
  return { version: ((await res.json()) as { version: number }).version, etag: res.headers.get('etag') };
}

const putGreeter = (server: ServerProcess, message: string, ifMatch?: string) =>
  server.fetch('/api/v1/modules/greeter/config', {
    method: 'PUT',
    json: { message },
    token: ADMIN_TOKEN,
    ...(ifMatch ? { headers: { 'if-match': ifMatch } } : {}),
  });

/** Every replica logged the rejection of `version`. */
const rejected = (replicas: ServerProcess[], version: number) =>
  Promise.all(replicas.map((r) => r.waitForLog((e) => e.outcome === 'rejected' && e.version === version)));

describe('a rollback to the content that runs advances the version on every replica', () => {
  it('database mode: version and ETag move, If-Match with the new ETag works, the old one is 412', async () => {
    const key = 'served';
    const args = [...dbArgs(), '--key', key, '--config', FIXTURE_FILE];
    const replicas = [await ServerProcess.start(args), await ServerProcess.start(args)];
    const [a, b] = replicas as [ServerProcess, ServerProcess];
    // A bad push (rps: -1): stored as version 2, refused by both, which keep serving version 1.
    await store.putDocument(key, (await readFixture()).replace('rps: 20', 'rps: -1'), { actor: 'cfg push' });
    await rejected(replicas, 2);

    const rollback = await a.fetch('/api/v1/config/rollback', {
      method: 'POST',
      json: { version: 1 },
      token: ADMIN_TOKEN,
    });
    expect(await rollback.json()).toMatchObject({
      version: 3,
      result: { outcome: 'noop', reason: 'same content as current; adopts version 3' },
    });
    for (const replica of replicas) {
      await until(async () => (await served(replica)).version, 3);
      expect(await served(replica)).toEqual({ version: 3, etag: '"3"' });
    }
    expect((await putGreeter(b, 'stale', '"1"')).status).toBe(412);
    const fresh = await putGreeter(b, 'after the rollback', '"3"');
    expect(fresh.status).toBe(200);
    expect(await fresh.json()).toMatchObject({ version: 4 });
    await until(() => a.hello(), 'after the rollback');
    // The adoption is a reload of its own in the record: an outcome, a version, a log line.
    expect((await b.waitForLog((e) => e.outcome === 'noop' && e.version === 3)).msg).toMatch(
      /^reload noop: /,
    );
    expect(await Promise.all(replicas.map((r) => r.stop()))).toEqual([0, 0]);
  });

  it('overlay mode: the same for the stored overlay', async () => {
    const key = 'served-overlay';
    const args = ['--config', FIXTURE_FILE, '--overlay-key', key, ...dbArgs()];
    const replicas = [await ServerProcess.start(args), await ServerProcess.start(args)];
    const [a, b] = replicas as [ServerProcess, ServerProcess];
    expect((await putGreeter(a, 'pinned by the overlay')).status).toBe(200); // overlay version 2
    await until(() => b.hello(), 'pinned by the overlay');
    const good = (await store.getDocument(key))!.data;
    await store.putDocument(
      key,
      `${good}  - name: limiter\n    type: rate-limiter\n    config: { rps: -1 }\n`,
      {
        actor: 'cfg push',
      },
    );
    await rejected(replicas, 3);

    await store.rollback(key, 2, { actor: 'cfg rollback' }); // version 4: what runs
    for (const replica of replicas) {
      await until(async () => (await served(replica)).version, 4);
      expect(await served(replica)).toEqual({ version: 4, etag: '"4"' });
    }
    expect((await putGreeter(a, 'again', '"4"')).status).toBe(200);
    expect(await Promise.all(replicas.map((r) => r.stop()))).toEqual([0, 0]);
  });
});
