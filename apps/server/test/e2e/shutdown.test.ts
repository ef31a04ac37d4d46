import { PgConfigStore } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
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
  it('writes whose clients already left finish before the pool closes: no errors, exit 0, no gaps', async () => {
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
  });
});
