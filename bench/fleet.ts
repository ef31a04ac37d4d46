/**
 * Bench 7, the cost of fleet reporting (issue 16). Two questions:
 * 1. Extra time per reload: the same in-process Runtime (the server's engine and reloader) applies
 *    the same alternating greeter changes with and without a FleetReporter on the reloader's event,
 *    against the bench PostgreSQL. Timed: `runtime.handleChange` (what a reload costs the server),
 *    `reporter.record` alone, and reload done → the outcome's NOTIFY heard (how soon the fleet knows).
 * 2. DB writes per minute per instance at idle: one real `cfg serve` (database mode, default 10 s
 *    heartbeat) left alone on a schema of its own; each heartbeat is one UPDATE of its row.
 * Run: pnpm --filter @cfg/bench bench:fleet [--quick]   (needs apps/server built and PostgreSQL)
 */
import type { FleetNotice } from '@cfg/pg-store';
import { hashConfig } from '@cfg/source';
import { instanceIdentity } from '../apps/server/src/fleet/instance.js';
import { FleetReporter } from '../apps/server/src/fleet/reporter.js';
import { Runtime } from '../apps/server/src/runtime.js';
import { isQuick } from './lib/args.js';
import {
  assertBuilt,
  type BenchSchema,
  createBenchSchema,
  ServerProcess,
  sleep,
  stopAllServers,
} from './lib/cfg-server.js';
import { type Figure, timing, value } from './lib/figures.js';
import { publish } from './lib/results.js';
import { summarize } from './lib/stats.js';

const quick = isQuick();
const RELOADS = quick ? 100 : 1000;
const WARMUP = quick ? 20 : 100;
/** Idle window; several heartbeats long even in quick mode. */
const IDLE_S = quick ? 30 : 120;
const HEARTBEAT_MS = 10_000;

await assertBuilt();
const db = await createBenchSchema('fleet');
const figures: Figure[] = [];
try {
  const without = await reloads(db, false);
  const withReporting = await reloads(db, true);
  const base = summarize(without.reloadMs);
  const reported = summarize(withReporting.reloadMs);
  figures.push(
    timing('reload (handleChange), no fleet reporting', base),
    timing('reload (handleChange), with fleet reporting', reported),
    value(
      'extra time per reload (median difference)',
      Math.round((reported.median - base.median) * 1000),
      'µs',
      'the reload never waits for the database: record() only queues; this is the write’s client-side work sharing the event loop',
    ),
    timing('reporter.record (the part on the reload path)', summarize(withReporting.recordMs), {
      unit: 'µs',
    }),
    timing('reload done → its outcome NOTIFY heard (the fleet knows)', summarize(withReporting.knownMs)),
  );
  figures.push(...(await idleWrites()));
} finally {
  await stopAllServers();
  await db.drop();
}

publish({
  name: 'fleet',
  title: '7. Fleet reporting: extra time per reload, and DB writes per minute per instance at idle',
  about: `(1) An in-process Runtime (apps/server/src: engine + reloader) applies ${RELOADS} alternating greeter changes (after ${WARMUP} discarded), once without and once with a FleetReporter listening to the reloader, against the bench PostgreSQL; each change carries the next stored version number. Timed per change: \`runtime.handleChange\`, the \`record\` call, and (with reporting) the end of handleChange until \`subscribeFleet\` hears the outcome's NOTIFY — i.e. the report's write committed. (2) One \`cfg serve\` in database mode on a schema of its own, default ${HEARTBEAT_MS / 1000} s heartbeat, left alone for ${IDLE_S} s after it registered and reported its start; its instance row is read every 250 ms and every new \`heartbeat_at\` is one UPDATE (the only write at idle; the outcome rows are counted to show that none is added).`,
  quick,
  figures,
});

/** Applies alternating changes with or without a reporter; returns the timings. */
async function reloads(schema: BenchSchema, report: boolean) {
  const config = (message: string) => ({
    modules: [{ name: 'greeter', type: 'greeter', config: { message } }],
  });
  const snapshot = (version: number) => {
    const c = config(`version ${version}`);
    return { config: c, hash: hashConfig(c), source: 'database:bench', version, loadedAt: new Date() };
  };
  const runtime = await Runtime.create({ initial: snapshot(1) });
  const key = `bench-${report ? 'with' : 'without'}`;
  const recordMs: number[] = [];
  const knownMs: number[] = [];
  const reloadMs: number[] = [];
  let reporter: FleetReporter | undefined;
  let heard: ((version: number) => void) | undefined;
  let stopListening: (() => Promise<void>) | undefined;
  if (report) {
    reporter = new FleetReporter({
      store: schema.store,
      identity: instanceIdentity({ key, mode: 'database', labels: { bench: 'fleet' } }),
      initial: { version: 1, hash: runtime.reloader.current.hash },
    });
    runtime.reloader.on('reload', (result) => {
      const started = performance.now();
      reporter!.record(result);
      recordMs.push(performance.now() - started);
    });
    reporter.start();
    stopListening = await schema.store.subscribeFleet((n: FleetNotice) => {
      if (n.key === key) heard?.(n.version);
    });
  }
  for (let version = 2; version < 2 + WARMUP + RELOADS; version++) {
    const known = report
      ? new Promise<number>((resolve) => {
          heard = (v) => v === version && resolve(performance.now());
        })
      : undefined;
    const started = performance.now();
    const result = await runtime.handleChange(snapshot(version));
    const done = performance.now();
    if (result.outcome !== 'partial') throw new Error(`fleet bench: expected partial, got ${result.outcome}`);
    if (version >= 2 + WARMUP) {
      reloadMs.push(done - started);
      if (known) knownMs.push((await known) - done);
    } else if (known) await known;
  }
  await reporter?.stop();
  await stopListening?.();
  await runtime.close();
  recordMs.splice(0, WARMUP);
  return { reloadMs, recordMs, knownMs };
}

/**
 * Writes to the fleet tables per minute by one idle `cfg serve`, on a schema of its own: every
 * heartbeat is one UPDATE of its row, seen as a new `heartbeat_at` (read every 250 ms, so none is
 * missed at a 10 s interval); outcome rows must not grow at idle.
 */
async function idleWrites(): Promise<Figure[]> {
  const own = await createBenchSchema('fleet_idle');
  try {
    const server = await ServerProcess.start([
      ...own.serveArgs,
      '--fleet-heartbeat-ms',
      String(HEARTBEAT_MS),
    ]);
    const read = async () => {
      const { rows } = await own.pool.query<{ heartbeats: string[]; outcomes: string }>(
        `select array_agg(heartbeat_at::text) as heartbeats,
           (select count(*) from ${own.schema}.outcomes) as outcomes
         from ${own.schema}.instances`,
      );
      return { heartbeat: rows[0]!.heartbeats?.[0], outcomes: Number(rows[0]!.outcomes) };
    };
    while ((await read()).outcomes === 0) await sleep(50); // registered, and its start reported
    const first = await read();
    const seen = new Set<string>();
    const started = performance.now();
    while (performance.now() - started < IDLE_S * 1000) {
      const now = await read();
      if (now.heartbeat && now.heartbeat !== first.heartbeat) seen.add(now.heartbeat);
      await sleep(250);
    }
    const minutes = (performance.now() - started) / 60_000;
    const last = await read();
    await server.stop();
    return [
      value(
        'fleet writes per minute per idle instance',
        Math.round((seen.size / minutes) * 10) / 10,
        'UPDATEs/min',
        `one-row heartbeat every ${HEARTBEAT_MS / 1000} s (${seen.size} in ${IDLE_S} s); outcome rows written meanwhile: ${last.outcomes - first.outcomes}`,
      ),
    ];
  } finally {
    await own.drop();
  }
}
