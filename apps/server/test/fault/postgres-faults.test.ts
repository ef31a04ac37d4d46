import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgConfigStore } from '@cfg/pg-store';
import { freePort } from '@cfg/pg-store/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/db/embedded.js';
import { FIXTURE_FILE, readFixture } from '../helpers/configs.js';
import { ADMIN_TOKEN, assertBuilt, type LogEntry, ServerProcess } from '../helpers/server-process.js';

/**
 * Two `cfg serve` replicas (database mode) on a PostgreSQL this test owns (embedded, so it can be
 * stopped), while a writer keeps committing — straight to the store, and through the replicas' API.
 * 1. Every backend of the replicas is terminated mid-stream. 2. PostgreSQL is stopped for a few
 * seconds and started again. Guarantees: during the outage each replica keeps serving the config it
 * had (and refuses writes with 503, never another 5xx); its LISTEN connection retries with growing
 * delays; within 5 s of PostgreSQL being back each replica runs the latest committed version; the
 * history has no gaps and holds every write that was acknowledged, with its content.
 */

const KEY = 'default';
const APP_NAME = 'cfg-fault-replica';
/** The guarantee under test. */
const CONVERGE_MS = 5_000;
/** Long enough for the LISTEN retries to back off past their 2 s cap. */
const OUTAGE_MS = 6_000;

let dir: string;
let port: number;
let postgres: EmbeddedDatabase;
let pool: pg.Pool;
let store: PgConfigStore;
let fixture: string;
const replicas: ServerProcess[] = [];

beforeAll(async () => {
  await assertBuilt();
  fixture = await readFixture();
  dir = await mkdtemp(join(tmpdir(), 'cfg-fault-pg-'));
  await chmod(dir, 0o755); // as root, PostgreSQL runs as the `postgres` user, which must enter it
  port = await freePort();
  postgres = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port });
  pool = new pg.Pool({ connectionString: postgres.url, max: 4, application_name: 'cfg-fault-writer' });
  pool.on('error', () => undefined); // idle clients die with the server; the pool replaces them
  store = new PgConfigStore(pool);
  await store.migrate();
  for (const name of ['a', 'b']) {
    replicas.push(
      await ServerProcess.start(
        ['--database-url', postgres.url, '--key', KEY, '--config', FIXTURE_FILE, '--log-level', 'debug'],
        {
          env: { PGAPPNAME: `${APP_NAME}-${name}` },
        },
      ),
    );
  }
}, 180_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await pool?.end().catch(() => undefined);
  await postgres?.stop();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const messageOf = (n: number) => `write ${n}`;

interface Acknowledged {
  version: number;
  message: string;
  via: string;
}

/**
 * Commits a new greeter message every ~20 ms, alternating the store and each replica's PUT, until
 * stopped. Remembers every write that was acknowledged; a refused API write must be a 503.
 */
function startWriter() {
  const acknowledged: Acknowledged[] = [];
  const unexpected: string[] = [];
  let refused = 0;
  let n = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      const message = messageOf(++n);
      const via = ['store', 'a', 'b'][n % 3]!;
      try {
        if (via === 'store') {
          const text = fixture.replace(/message: .*/, `message: ${message}`);
          const { version } = await store.putDocument(KEY, text, { actor: 'writer' });
          acknowledged.push({ version, message, via });
        } else {
          const res = await replicas[via === 'a' ? 0 : 1]!.fetch('/api/v1/modules/greeter/config', {
            method: 'PUT',
            json: { message },
            token: ADMIN_TOKEN,
          });
          const body = (await res.json()) as { version?: number; code?: string };
          if (res.status === 200) acknowledged.push({ version: body.version!, message, via });
          else if (res.status === 503) refused++;
          else {
            const replica = replicas[via === 'a' ? 0 : 1]!;
            const logged = replica.logs.findLast((e) => e.level >= 50);
            unexpected.push(
              `${via}: ${res.status} ${JSON.stringify(body)}; logged: ${JSON.stringify(logged)}`,
            );
          }
        }
      } catch {
        // The store is unreachable: not acknowledged, so nothing is promised about it.
      }
      await sleep(20);
    }
  })();
  return {
    acknowledged,
    unexpected,
    /** API writes answered 503 (the store unreachable). */
    get refused() {
      return refused;
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

const configOf = async (replica: ServerProcess) =>
  (await (await replica.fetch('/api/v1/config', { token: ADMIN_TOKEN })).json()) as {
    version: number;
    config: { modules: { name: string; config?: { message?: string } }[] };
  };

/** Resolves when every replica runs `version`; fails at `deadline` (a `performance.now()` time). */
async function allAt(version: number, deadline: number): Promise<void> {
  for (const replica of replicas) {
    for (;;) {
      if ((await configOf(replica)).version === version) break;
      if (performance.now() > deadline) {
        throw new Error(`replica ${replica.url} is at ${(await configOf(replica)).version}, not ${version}`);
      }
      await sleep(20);
    }
  }
}

/** Versions 1..latest, each once; every acknowledged write is there with its own content. */
async function expectHistoryComplete(acknowledged: readonly Acknowledged[]): Promise<void> {
  const latest = (await store.getDocument(KEY))!.version;
  const history = await store.history(KEY, { limit: 100_000 });
  expect(history.map((h) => h.version)).toEqual(Array.from({ length: latest }, (_, i) => latest - i));
  for (const { version, message, via } of acknowledged) {
    const stored = await store.getVersion(KEY, version);
    expect(stored.data, `version ${version} (acknowledged via ${via})`).toContain(`message: ${message}\n`);
  }
}

/** The delays a replica's LISTEN connection announced while retrying (debug: "…; retrying in 123 ms"). */
function retryDelays(replica: ServerProcess, from: number): number[] {
  return replica.logs
    .slice(from)
    .map((e: LogEntry) => /^LISTEN .* retrying in (\d+) ms$/.exec(e.msg)?.[1])
    .filter((d): d is string => d !== undefined)
    .map(Number);
}

/** A replica's own lines at INFO and above, from `from` on, leaving out the per-request ones (writes refused with 503). */
function ownLines(replica: ServerProcess, from: number, to = replica.logs.length): LogEntry[] {
  return replica.logs.slice(from, to).filter((e) => e.level >= 30 && e.msg !== 'request failed' && !e.reqId);
}

describe('PostgreSQL faults under two replicas and a writer', () => {
  it('every backend of the replicas terminated mid-stream: writes go on, both converge, nothing lost', async () => {
    const writer = startWriter();
    await sleep(1_000);
    const { rows } = await pool.query<{ terminated: boolean }>(
      'select pg_terminate_backend(pid) as terminated from pg_stat_activity where application_name like $1',
      [`${APP_NAME}-%`],
    );
    // Each replica holds its LISTEN connection and at least one pool connection.
    expect(rows.filter((r) => r.terminated).length).toBeGreaterThanOrEqual(4);
    await sleep(1_500);
    await writer.stop();
    const latest = (await store.getDocument(KEY))!.version;
    await allAt(latest, performance.now() + CONVERGE_MS);
    expect(writer.unexpected).toEqual([]);
    expect(writer.acknowledged.length).toBeGreaterThan(20);
    // Writes went on right after the termination, through both replicas too.
    expect(new Set(writer.acknowledged.map((w) => w.via))).toEqual(new Set(['store', 'a', 'b']));
    await expectHistoryComplete(writer.acknowledged);
  }, 60_000);

  it('PostgreSQL stopped and started again: the last config keeps serving, then all converge within 5 s', async () => {
    const logsFrom = replicas.map((r) => r.logs.length);
    const writer = startWriter();
    await sleep(1_000);
    await postgres.stop();

    // During the outage: each replica keeps the config it had, serves it, and says it is degraded.
    const during = await Promise.all(replicas.map(configOf));
    const outageEnds = performance.now() + OUTAGE_MS;
    let checks = 0;
    /** What each replica's `/readyz` said, in order. */
    const readiness: string[][] = replicas.map(() => []);
    while (performance.now() < outageEnds) {
      for (const [i, replica] of replicas.entries()) {
        const greeter = during[i]!.config.modules.find((m) => m.name === 'greeter')!;
        const hello = await replica.fetch('/hello');
        expect(hello.status).toBe(200);
        expect(await hello.json()).toEqual({ message: greeter.config!.message });
        expect((await configOf(replica)).version).toBe(during[i]!.version);
        const ready = await replica.fetch('/readyz');
        expect(ready.status).toBe(200);
        const body = (await ready.json()) as { status: string; errors: string[] };
        if (body.status === 'degraded') expect(body.errors.length, `replica ${i}`).toBeGreaterThan(0);
        readiness[i]!.push(body.status);
        checks++;
      }
      await sleep(100);
    }
    expect(checks).toBeGreaterThan(10);
    // Each replica noticed (its poller's next read failed) and said so until PostgreSQL was back:
    // ready (not noticed yet), then degraded to the end, never ready again in between.
    for (const [i, said] of readiness.entries()) {
      const noticed = said.indexOf('degraded');
      expect(noticed, `replica ${i} never said degraded: ${said.join(', ')}`).toBeGreaterThanOrEqual(0);
      expect(said.slice(0, noticed).every((s) => s === 'ready')).toBe(true);
      expect(
        said.slice(noticed).every((s) => s === 'degraded'),
        `replica ${i}: ${said.join(', ')}`,
      ).toBe(true);
    }

    const outageLogsEnd = replicas.map((r) => r.logs.length);
    postgres = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port });
    const back = performance.now();
    await sleep(1_000); // writes resume
    await writer.stop();
    const latest = (await store.getDocument(KEY))!.version;
    await allAt(latest, back + CONVERGE_MS);
    console.log(
      `all replicas at version ${latest} ${(performance.now() - back).toFixed(0)} ms after PostgreSQL was back`,
    );

    expect(writer.unexpected).toEqual([]);
    expect(writer.refused).toBeGreaterThan(0);
    await expectHistoryComplete(writer.acknowledged);
    // Writes were refused during the outage and accepted after it.
    const afterOutage = writer.acknowledged.filter(
      (w) => w.version > Math.max(...during.map((d) => d.version)),
    );
    expect(afterOutage.length).toBeGreaterThan(0);
    // The outage is said once by each replica (not two WARN lines every 1–2 s), and its end once.
    for (const [i, replica] of replicas.entries()) {
      const during = ownLines(replica, logsFrom[i]!, outageLogsEnd[i]).filter((e) => e.level >= 40);
      expect(
        during.map((e) => e.msg),
        `replica ${i}`,
      ).toEqual([expect.stringMatching(/^poller error: .*; still serving the last good config$/)]);
      await replica.waitForLog(
        (e) => / is readable again \(after \d+\.\d s\)$/.test(e.msg),
        5_000,
        outageLogsEnd[i],
      );
      // And once it read the store again, it is ready, not degraded.
      expect(await (await replica.fetch('/readyz')).json(), `replica ${i}`).toMatchObject({
        status: 'ready',
        errors: [],
      });
      const recovered = ownLines(replica, outageLogsEnd[i]!).filter((e) =>
        /readable again|LISTEN|error/.test(e.msg),
      );
      expect(
        recovered.map((e) => e.msg),
        `replica ${i}`,
      ).toEqual([expect.stringMatching(/^poller: .* is readable again/)]);
    }
    // Each LISTEN connection retried with backoff: the delays grow (jittered within 50–100 % of a doubling base).
    for (const [i, replica] of replicas.entries()) {
      const delays = retryDelays(replica, logsFrom[i]!);
      expect(delays.length, `replica ${i} LISTEN retries`).toBeGreaterThanOrEqual(3);
      expect(Math.max(...delays)).toBeGreaterThan(2 * Math.min(...delays));
    }
  }, 90_000);
});
