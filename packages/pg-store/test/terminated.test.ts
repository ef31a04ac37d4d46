import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkout } from '../src/db.js';
import { resolveOptions } from '../src/options.js';
import { createTestStore, type TestStore } from './helpers.js';

/**
 * PostgreSQL ends connections on its own (a shutdown, `pg_terminate_backend`, a failover). A client
 * the store has checked out emits `error` when that happens between two of its queries, and an
 * `error` event nobody listens to ends the process: seen as a replica crashing when the embedded
 * PostgreSQL it shared was stopped while the test suite loaded the machine.
 */
let t: TestStore;
let admin: pg.Client;
beforeAll(async () => {
  t = await createTestStore();
  admin = new pg.Client({ connectionString: t.db.url });
  await admin.connect();
});
afterAll(async () => {
  await admin.end();
  await t.db.drop();
});

describe('a connection PostgreSQL ends while the store holds it', () => {
  it('between queries: no unhandled error, the client is not pooled again, and the pool works on', async () => {
    const opts = resolveOptions({ schema: t.db.schema });
    const client = await checkout(t.db.pool, opts);
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const ended = new Promise((resolve) => client.once('end', resolve));
    await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
    await ended; // without a listener, the 'error' before this ended the process
    client.release();
    const again = await checkout(t.db.pool, opts);
    try {
      expect(again).not.toBe(client); // the pool dropped the dead client instead of handing it out
      expect((await again.query('select 1 as one')).rows[0]).toEqual({ one: 1 });
    } finally {
      again.release();
    }
  });
});
