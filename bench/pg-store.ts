/**
 * Issue 4: PgConfigStore write path against a raw baseline on the same server, in the same run:
 * - putDocument throughput and latency p50/p99 for 1 and 8 concurrent writers, on distinct keys and
 *   on one hot key, beside a raw `begin; insert … on conflict do update; select pg_notify; commit` loop;
 * - NOTIFY latency over 1,000 sequential writes: from the writer's commit acknowledgement to the
 *   listener callback (negative when the notice arrives first), and from the write's start.
 * Every write changes the bytes (an unchanged write is a no-op, which would flatter the store).
 * Uses its own random schema and drops it. Bounded: ~5.6 s per throughput case (~1.2 s with --quick).
 * Run: pnpm --filter @cfg/bench bench:pg-store [--quick]   (DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/postgres; imports the BUILT packages: build @cfg/source and @cfg/pg-store first)
 */
import { randomBytes } from 'node:crypto';
import { PgConfigStore } from '@cfg/pg-store';
import { hashBytes } from '@cfg/source';
import pg from 'pg';
import { isQuick } from './lib/args.js';
import { type Figure, ratio, timing, value } from './lib/figures.js';
import { DATABASE_URL } from './lib/postgres.js';
import { publish } from './lib/results.js';
import { summarize } from './lib/stats.js';

const quick = isQuick();
/** Per case and loop: two passes of CASE_MS / 2 each, the better one kept. */
const CASE_MS = quick ? 500 : 2_500;
const WARMUP_MS = quick ? 100 : 300;
const NOTIFY_WRITES = quick ? 200 : 1_000;

const schema = `cfg_bench_${randomBytes(4).toString('hex')}`;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 12 });
const store = new PgConfigStore(pool, { schema });
const rawChannel = `${schema}_raw`;

/** ~1 KB of YAML that differs per write. */
const doc = (n: number) =>
  `# write ${n}\nmodules:\n${Array.from({ length: 12 }, (_, i) => `  - name: m${i}\n    type: worker\n    config: { rps: ${n + i}, burst: 20, region: eu-west-1 }\n`).join('')}`;

/** The baseline: what any upsert-plus-notify implementation needs at least. */
async function rawWrite(key: string, data: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<{ version: number }>(
      `insert into ${schema}.raw (key, data, hash, version) values ($1, $2, $3, 1)
       on conflict (key) do update set data = excluded.data, hash = excluded.hash, version = raw.version + 1
       returning version`,
      [key, data, hashBytes(data)],
    );
    await client.query('select pg_notify($1, $2)', [
      rawChannel,
      JSON.stringify({ key, version: rows[0]!.version, hash: hashBytes(data) }),
    ]);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

const storeWrite = async (key: string, data: string) => {
  await store.putDocument(key, data, { actor: 'bench' });
};

/** `writers` loops writing for `ms`; returns throughput and latencies (ms). */
async function load(
  write: (key: string, data: string) => Promise<void>,
  writers: number,
  hot: boolean,
  ms: number,
) {
  const latencies: number[] = [];
  let n = 0;
  const deadline = performance.now() + ms;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      while (performance.now() < deadline) {
        const key = hot ? 'hot' : `key-${w}`;
        const t0 = performance.now();
        await write(key, doc(n++));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { perSecond: latencies.length / seconds, latencies };
}

async function notifyLatency(
  subscribe: (onNotice: () => void) => Promise<() => Promise<void>>,
  write: (key: string, data: string) => Promise<void>,
) {
  let arrived: (() => void) | undefined;
  let arrivedAt = 0;
  const stop = await subscribe(() => {
    arrivedAt = performance.now();
    arrived?.();
  });
  const afterCommit: number[] = [];
  const fromStart: number[] = [];
  for (let i = 0; i < NOTIFY_WRITES; i++) {
    const notice = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const t0 = performance.now();
    await write('latency', doc(i));
    const committed = performance.now();
    await notice;
    afterCommit.push(arrivedAt - committed);
    fromStart.push(arrivedAt - t0);
  }
  await stop();
  return { afterCommit, fromStart };
}

/** A plain LISTEN client for the raw loop's channel. */
async function rawSubscribe(onNotice: () => void): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  client.on('notification', onNotice);
  await client.query(`listen "${rawChannel}"`);
  return () => client.end();
}

const figures: Figure[] = [];
try {
  await store.migrate();
  await pool.query(
    `create table ${schema}.raw (key text primary key, data text not null, hash text not null, version int not null)`,
  );

  type Run = Awaited<ReturnType<typeof load>>;
  for (const writers of [1, 8]) {
    for (const hot of [false, true]) {
      // Alternate raw and store twice and keep each one's better run: less noise on a shared machine.
      const best: { raw?: Run; store?: Run } = {};
      for (const pass of [0, 1]) {
        for (const [name, write] of [
          ['raw', rawWrite],
          ['store', storeWrite],
        ] as const) {
          if (pass === 0) await load(write, writers, hot, WARMUP_MS);
          const run = await load(write, writers, hot, CASE_MS / 2);
          if (!best[name] || run.perSecond > best[name].perSecond) best[name] = run;
        }
      }
      const ours = best.store!;
      const raw = best.raw!;
      const at = `${writers} writer${writers > 1 ? 's' : ''}, ${hot ? 'one hot key' : 'distinct keys'}`;
      figures.push(
        value(`putDocument throughput, ${at}`, Math.round(ours.perSecond), 'tx/s', 'better of 2 passes'),
        value(`raw loop throughput, ${at}`, Math.round(raw.perSecond), 'tx/s', 'better of 2 passes'),
        ratio(
          `putDocument / raw loop throughput, ${at}`,
          ours.perSecond,
          raw.perSecond,
          'putDocument tx/s over the raw upsert + pg_notify loop tx/s, same server, same run (target ≥ 0.7)',
        ),
        timing(`putDocument latency, ${at}`, summarize(ours.latencies), { note: 'in the better pass' }),
        timing(`raw loop latency, ${at}`, summarize(raw.latencies), { note: 'in the better pass' }),
      );
    }
  }

  const loops = [
    ['putDocument', await notifyLatency((onNotice) => store.subscribe(onNotice), storeWrite)],
    ['raw loop', await notifyLatency(rawSubscribe, rawWrite)],
  ] as const;
  for (const [loop, { afterCommit, fromStart }] of loops) {
    figures.push(
      timing(`NOTIFY commit ack → listener, ${loop}`, summarize(afterCommit), {
        note: 'negative = the notice arrived before the commit ack',
      }),
      timing(`NOTIFY write start → listener, ${loop}`, summarize(fromStart)),
    );
  }
} finally {
  await pool.query(`drop schema if exists ${schema} cascade`);
  await pool.end();
}

publish({
  name: 'pg-store',
  title: 'Issue 4: PgConfigStore.putDocument throughput and NOTIFY latency vs a raw upsert + pg_notify loop',
  about: `On its own random schema, dropped at the end. Throughput: for 1 and 8 concurrent writers, on distinct keys (one per writer) and on one hot key, the store and the raw loop (\`begin; insert … on conflict do update … returning version; select pg_notify; commit\` on a pooled client) alternate, twice, ${CASE_MS / 2000} s each after a ${WARMUP_MS} ms warm-up; each keeps its better pass (less noise on a shared machine), whose latencies are the timings. Every write changes the ~1 KB YAML (an unchanged put is a no-op, which would flatter the store). NOTIFY: ${NOTIFY_WRITES} sequential writes to one key with a listener subscribed (PgConfigStore.subscribe, or a plain LISTEN client for the raw loop); each notice is timed from the writer's commit acknowledgement and from the write's start.`,
  quick,
  figures,
});
