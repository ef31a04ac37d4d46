import { request } from 'node:http';
import { PgConfigStore } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import { hashBytes, parseConfig } from '@cfg/source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_FILE } from '../helpers/configs.js';
import { ADMIN_TOKEN, assertBuilt, ServerProcess, until } from '../helpers/server-process.js';

/**
 * SIGKILL a `cfg serve` (database mode) while a large PUT is in flight — half-sent, at points
 * spread over the time such a PUT takes, and while its write waits inside PostgreSQL — then start
 * it again. The PUT replaces the static response's ~400 KB body (a full reload: the new module set
 * is built, then swapped). Guarantees: the stored document is the old version or the complete new
 * one (never a partial text; its hash matches its bytes; the history has no gap), and the restarted
 * server runs the latest stored version. Kills that land inside the write are the ones this is
 * about: they are counted (from PostgreSQL's view of the server's sessions at the moment of each
 * kill) and required.
 */

const KEY = 'default';
/** A ~400 KB body: the PUT takes long enough (YAML edit, parse, write, full reload) to be killed inside. */
const BIG = 400_000;
const MODULE = 'status-page';

let db: TestSchema;
let store: PgConfigStore;
let server: ServerProcess;
const APP_NAME = 'cfg-fault-crash';
/** `cfg serve` in database mode, seeding the document from the fixture when it is missing. */
const start = () =>
  ServerProcess.start(
    ['--database-url', db.url, '--db-schema', db.schema, '--key', KEY, '--config', FIXTURE_FILE],
    { env: { PGAPPNAME: APP_NAME } },
  );

beforeAll(async () => {
  await assertBuilt();
  db = await createTestSchema({ poolSize: 2 });
  store = new PgConfigStore(db.pool, { schema: db.schema });
  server = await start(); // seeds version 1 from the fixture
});
afterAll(async () => {
  await server?.stop('SIGKILL');
  await db?.drop();
});

/** The static response's config for generation `n`. */
const bigConfig = (n: number) => ({
  path: '/status',
  status: 200,
  body: { generation: n, blob: 'x'.repeat(BIG) },
});

/**
 * Whether the server's database session is writing the document right now: a statement that changes
 * `documents` is running (or waiting for a lock), or a transaction is open between statements.
 */
async function writing(): Promise<boolean> {
  const { rows } = await db.pool.query<{ n: number }>(
    `select count(*)::int as n from pg_stat_activity
     where application_name = $1
       and (state like 'idle in transaction%'
            or (state = 'active' and query ~* '(update|insert into)\\s+\\S*documents'))`,
    [APP_NAME],
  );
  return rows[0]!.n > 0;
}

/** SIGKILLs the server; resolves with whether the kill landed inside a write (looked at just before). */
async function kill(): Promise<boolean> {
  const inside = await writing();
  void server.stop('SIGKILL');
  return inside;
}

/** The last kill `put` made: did it land inside a write. */
let lastKill: Promise<boolean> | undefined;

/**
 * Sends `PUT /api/v1/modules/status-page/config` with generation `n`. With `killAfterMs`, the server is
 * SIGKILLed that long after the whole body left this process (see `lastKill`); with `half`, after half
 * of it. Resolves with the status, or 0 when the connection died.
 */
function put(n: number, opts: { killAfterMs?: number; half?: boolean } = {}): Promise<number> {
  const body = Buffer.from(JSON.stringify(bigConfig(n)));
  return new Promise((resolve) => {
    const req = request(
      `${server.url}/api/v1/modules/${MODULE}/config`,
      {
        method: 'PUT',
        agent: false,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          'content-type': 'application/json',
          'content-length': String(body.length),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    if (opts.half) {
      req.write(body.subarray(0, body.length / 2), () => void server.stop('SIGKILL'));
      return;
    }
    req.end(body);
    if (opts.killAfterMs !== undefined) {
      const delay = opts.killAfterMs;
      req.on('finish', () =>
        setTimeout(() => {
          lastKill = kill();
        }, delay),
      );
    }
  });
}

/** The generation a stored text's static response carries (the fixture's has none: -1). */
const generationOf = (text: string) => {
  const module = parseConfig(text, { filename: 'stored' }).modules.find((m) => m.name === MODULE)!;
  return (module.config?.body as { generation?: number } | undefined)?.generation ?? -1;
};

/** The config of every module but the static response, for "nothing else changed". */
const othersOf = (text: string) =>
  parseConfig(text, { filename: 'stored' }).modules.filter((m) => m.name !== MODULE);

/**
 * Waits until the killed server's PostgreSQL backends are gone: a statement it sent just before
 * dying still runs (and may commit) after the process is dead, so the store is read only after.
 */
async function killed(): Promise<void> {
  await server.exited;
  for (;;) {
    const { rows } = await db.pool.query<{ n: number }>(
      'select count(*)::int as n from pg_stat_activity where application_name = $1',
      [APP_NAME],
    );
    if (rows[0]!.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The store holds `before` or one complete new version of generation `n`; the history has no gap. */
async function expectOldOrNew(before: { version: number; data: string }, n: number) {
  const now = (await store.getDocument(KEY))!;
  expect(hashBytes(now.data)).toBe(now.hash);
  if (now.version === before.version) {
    expect(now.data).toBe(before.data);
  } else {
    expect(now.version).toBe(before.version + 1);
    expect(generationOf(now.data)).toBe(n);
    expect(othersOf(now.data)).toEqual(othersOf(before.data));
  }
  const history = await store.history(KEY, { limit: 1_000 });
  expect(history.map((h) => h.version)).toEqual(
    Array.from({ length: now.version }, (_, i) => now.version - i),
  );
  return now;
}

/** Whether the server's write waits for the document's row lock (held by the test). */
async function waitingForLock(): Promise<boolean> {
  const { rows } = await db.pool.query<{ n: number }>(
    `select count(*)::int as n from pg_stat_activity
     where application_name = $1 and state = 'active' and wait_event_type = 'Lock'`,
    [APP_NAME],
  );
  return rows[0]!.n > 0;
}

/** Starts the server again and checks it runs exactly what the store holds. */
async function restartAndCheck(stored: { version: number; data: string }) {
  server = await start();
  const config = (await (await server.fetch('/api/v1/config', { token: ADMIN_TOKEN })).json()) as {
    version: number;
  };
  expect(config.version).toBe(stored.version);
  const served = (await (await server.fetch('/status')).json()) as { generation?: number };
  expect(served.generation ?? -1).toBe(generationOf(stored.data));
}

describe('SIGKILL in the middle of a PUT', () => {
  it('half of the body sent: nothing is stored; the restarted server runs the old version', async () => {
    const before = (await store.getDocument(KEY))!;
    expect(await put(0, { half: true })).toBe(0);
    await killed();
    const now = await expectOldOrNew(before, 0);
    expect(now.version).toBe(before.version);
    await restartAndCheck(now);
  });

  it('killed at points spread over a PUT, and inside its write: old or complete new, never partial; the restart loads the latest', async () => {
    // How long one such PUT takes here, so the kills land before, inside and after its write.
    const started = performance.now();
    expect(await put(1)).toBe(200);
    const putMs = performance.now() - started;
    const outcomes: string[] = [];
    let n = 2;
    const record = async (before: { version: number; data: string }, inside: boolean) => {
      const now = await expectOldOrNew(before, n);
      outcomes.push(
        `${now.version === before.version ? 'old' : 'new'}${inside ? ' (inside the write)' : ''}`,
      );
      await restartAndCheck(now);
      n++;
    };
    for (const fraction of [0, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1, 1.3]) {
      const before = (await store.getDocument(KEY))!;
      lastKill = undefined;
      await put(n, { killAfterMs: Math.round(fraction * putMs) });
      const inside = await lastKill!;
      await killed();
      await record(before, inside);
    }
    // A write takes a few ms of a PUT's time: hold the document's row lock so that the write waits
    // inside PostgreSQL, kill the server then, and only then let the write go on (or die).
    for (let i = 0; i < 2; i++) {
      const before = (await store.getDocument(KEY))!;
      const blocker = await db.pool.connect();
      let inside: boolean;
      try {
        await blocker.query('begin');
        await blocker.query(`select 1 from ${db.schema}.documents where key = $1 for update`, [KEY]);
        const status = put(n);
        await until(waitingForLock, true, 30_000);
        inside = await kill();
        expect(await status).toBe(0); // no answer: it died before the write finished
        await server.exited;
      } finally {
        await blocker.query('rollback');
        blocker.release();
      }
      await killed();
      await record(before, inside);
    }
    console.log(
      `PUT of ${BIG / 1000} KB took ${putMs.toFixed(0)} ms; after each kill: ${outcomes.join(', ')}`,
    );
    const inside = outcomes.filter((o) => o.endsWith('(inside the write)')).length;
    expect(inside, `kills that landed inside a write: ${outcomes.join(', ')}`).toBeGreaterThanOrEqual(2);
  }, 180_000);
});
