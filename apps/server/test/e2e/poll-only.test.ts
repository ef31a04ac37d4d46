import { PgConfigStore } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_FILE } from '../helpers/configs.js';
import { assertBuilt, ServerProcess, until } from '../helpers/server-process.js';

let db: TestSchema;
let store: PgConfigStore;
let push: ServerProcess;
let pollOnly: ServerProcess;

beforeAll(async () => {
  await assertBuilt();
  db = await createTestSchema({ poolSize: 2 });
  store = new PgConfigStore(db.pool, { schema: db.schema });
  const args = ['--database-url', db.url, '--db-schema', db.schema, '--config', FIXTURE_FILE];
  push = await ServerProcess.start(args, { env: { PGAPPNAME: 'cfg-e2e-push' } });
  pollOnly = await ServerProcess.start([...args, '--no-notify', '--poll-interval-ms', '200'], {
    env: { PGAPPNAME: 'cfg-e2e-poll-only' },
  });
});
afterAll(async () => {
  await Promise.all([push.stop(), pollOnly.stop()]);
  await db.drop();
});

/** How many of the server's connections sit in LISTEN. */
const listening = async (appName: string) =>
  (
    await db.pool.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where application_name = $1 and query ilike 'listen %'`,
      [appName],
    )
  ).rows[0]!.n;

describe('cfg serve --no-notify (polling alone)', () => {
  it('says so at start, opens no LISTEN connection (the default does), and still picks up changes', async () => {
    expect(await pollOnly.waitForLog((e) => typeof e.url === 'string')).toMatchObject({
      notify: false,
      pollIntervalMs: 200,
    });
    expect(await push.waitForLog((e) => typeof e.url === 'string')).toMatchObject({ notify: true });
    await until(() => listening('cfg-e2e-push'), 1);

    const current = (await store.getDocument('default'))!;
    await store.putDocument('default', current.data.replace(/message: .*/, 'message: polled'), {
      actor: 'test',
    });
    await until(() => pollOnly.hello(), 'polled', 5_000);
    await until(() => push.hello(), 'polled', 5_000);
    expect(await listening('cfg-e2e-poll-only')).toBe(0);
  });
});
