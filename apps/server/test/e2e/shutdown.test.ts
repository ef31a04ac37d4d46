import { PgConfigStore } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_FILE } from '../helpers/configs.js';
import { ADMIN_TOKEN, assertBuilt, ServerProcess } from '../helpers/server-process.js';

let db: TestSchema;
let store: PgConfigStore;
beforeAll(async () => {
  await assertBuilt();
  db = await createTestSchema({ poolSize: 2 });
  store = new PgConfigStore(db.pool, { schema: db.schema });
});
afterAll(() => db.drop());

describe('SIGTERM with writes still queued (real process, database mode)', () => {
  it('writes whose clients already left are called off, not stored later: no errors, exit 0, no gaps', async () => {
    const server = await ServerProcess.start([
      '--database-url',
      db.url,
      '--db-schema',
      db.schema,
      '--config',
      FIXTURE_FILE,
    ]);
    const clients = Array.from({ length: 30 }, () => new AbortController());
    const puts = clients.map((client, i) =>
      server
        .fetch('/api/v1/modules/greeter/config', {
          method: 'PUT',
          json: { message: `queued ${i}` },
          token: ADMIN_TOKEN,
          signal: client.signal,
        })
        .catch(() => undefined),
    );
    // One write applied: the others wait in the server's write queue. Their clients now go away.
    await server.waitForLog((e) => e.outcome === 'partial');
    for (const client of clients) client.abort();
    await Promise.all(puts);
    expect(await server.stop('SIGTERM')).toBe(0);

    expect(server.logs.filter((e) => Number(e.level) >= 50)).toEqual([]);
    const history = await store.history('default', { limit: 100 });
    const versions = history.map((h) => h.version).reverse();
    expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
    expect(versions.length).toBeGreaterThan(1);
    // Most of the 30 were still queued when their clients left: those were never stored.
    expect(versions.length).toBeLessThan(31);
  });

  it('SIGTERM during a write blocked by a row lock: exit 0 within 5 s, and the write is not stored', async () => {
    const key = 'blocked';
    const server = await ServerProcess.start([
      ...['--database-url', db.url, '--db-schema', db.schema],
      ...['--key', key, '--config', FIXTURE_FILE],
    ]);
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query(`select 1 from ${db.schema}.documents where key = $1 for update`, [key]);
      const put = server
        .fetch('/api/v1/modules/greeter/config', {
          method: 'PUT',
          json: { message: 'blocked' },
          token: ADMIN_TOKEN,
        })
        .catch(() => undefined);
      // The server's write is waiting for the lock.
      await expect
        .poll(async () => {
          const { rows } = await db.pool.query<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like $1`,
            [`%${db.schema}%documents%`],
          );
          return rows[0]!.n;
        })
        .toBe(1);
      const started = performance.now();
      expect(await server.stop('SIGTERM')).toBe(0);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect((await put)?.status).toBe(503);
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
    expect((await store.getDocument(key))?.version).toBe(1);
    expect(await store.history(key)).toHaveLength(1);
  });
});
