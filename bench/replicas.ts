/**
 * Bench 2, database → every replica applied: N = 1, 5, 10 real `cfg serve` processes in database
 * mode on one PostgreSQL (a fresh schema, dropped at the end). Each write is `putDocument` of the
 * whole document with a new greeter message; timed from `putDocument` resolving (the commit
 * acknowledged) until every replica's `GET /api/v1/events` stream delivered the `reload` result for
 * that version. Then the same with NOTIFY off (`--no-notify --poll-interval-ms 1000`), where a
 * random pause of up to one interval before each write keeps the writes out of step with the polls.
 * Then push mode again with a document of 1,000 modules (the example plus 995 static-response
 * modules, ~70 KB), where each write still changes only the greeter: a replica parses only the changed block.
 * Run: pnpm --filter @cfg/bench bench:replicas [--quick] [--only-large] [--only-push]   (--only-…: just that case, results not published)   (needs apps/server built and PostgreSQL:
 * DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres). Env: BENCH_SERVE_ARGS (more `cfg serve` arguments).
 */

import { readdir, readFile } from 'node:fs/promises';
import { isQuick } from './lib/args.js';
import {
  ADMIN_TOKEN,
  assertBuilt,
  cpuTimeMs,
  createBenchSchema,
  exampleText,
  ReloadEvents,
  ServerProcess,
  sleep,
  stopAllServers,
} from './lib/cfg-server.js';
import { type Figure, ratio, timing } from './lib/figures.js';
import { publish } from './lib/results.js';
import { summarize } from './lib/stats.js';

const quick = isQuick();
const onlyLarge = process.argv.includes('--only-large');
const onlyPush = process.argv.includes('--only-push');
const onlyOne = onlyLarge || onlyPush;
/** BENCH_SERVE_ARGS: more `cfg serve` arguments for every replica (e.g. `--no-snapshot`, to see what it costs). */
const SERVE_ARGS = (process.env.BENCH_SERVE_ARGS ?? '').split(' ').filter(Boolean);
const REPLICAS = quick ? [1, 5] : [1, 5, 10];
const POLL_INTERVAL_MS = 1_000;
/** Modules in the large document (the example's five plus static-response modules). */
const LARGE_MODULES = 1_000;
const LARGE_KEY = 'large';
const ALL_MODES = [
  // 200 writes: a p99 of 50 samples would be their maximum.
  { name: 'push', args: [], writes: quick ? 10 : 200, warmup: 2, jitterMs: 0, large: false },
  {
    name: 'poll only',
    args: ['--no-notify', '--poll-interval-ms', String(POLL_INTERVAL_MS)],
    // Each write takes about a poll interval: quick mode keeps this short.
    writes: quick ? 3 : 50,
    warmup: quick ? 0 : 1,
    jitterMs: POLL_INTERVAL_MS,
    large: false,
  },
  {
    name: `push, ${LARGE_MODULES.toLocaleString('en')} modules`,
    args: ['--key', LARGE_KEY],
    writes: quick ? 10 : 50,
    warmup: 2,
    jitterMs: 0,
    large: true,
  },
] as const;
const MODES = onlyLarge
  ? ALL_MODES.filter((m) => m.large)
  : onlyPush
    ? ALL_MODES.filter((m) => m.name === 'push')
    : ALL_MODES;

/** The example config plus static-response modules up to `LARGE_MODULES`, with the greeter saying `message`. */
function largeText(message: string): string {
  const extra: string[] = [];
  for (let i = 0; extra.length < LARGE_MODULES - 5; i++) {
    extra.push(
      `  - name: page-${i}\n    type: static-response\n    config:\n      path: /pages/${i}\n      body: { page: ${i}, on: true }\n`,
    );
  }
  const text = exampleText(message).replace(/^modules:\n/m, `modules:\n${extra.join('')}`);
  if (text === exampleText(message)) throw new Error('examples/config.yaml has no `modules:` line');
  return text;
}
/** CPU time so far of each replica process, and of every PostgreSQL process on the machine together. */
async function cpuOf(pids: number[]): Promise<{ replicas: number[]; postgres: number }> {
  const replicas = await Promise.all(pids.map(cpuTimeMs));
  let postgres = 0;
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (comm.startsWith('postgres')) postgres += await cpuTimeMs(Number(pid)).catch(() => 0);
  }
  return { replicas, postgres };
}

/** Pause between writes in push mode, so one write's NOTIFY traffic is over before the next. */
const GAP_MS = 20;
const APPLY_TIMEOUT_MS = 10_000;

await assertBuilt();
const db = await createBenchSchema('replicas');
await db.store.putDocument(LARGE_KEY, largeText('version 1'), { actor: 'bench' });
let serial = 1;
const figures: Figure[] = [];
const medians = new Map<string, number>();
try {
  for (const mode of MODES) {
    for (const n of REPLICAS) {
      const servers = await Promise.all(
        Array.from({ length: n }, () => ServerProcess.start([...db.serveArgs, ...mode.args, ...SERVE_ARGS])),
      );
      const streams = await Promise.all(servers.map((s) => ReloadEvents.open(s.url, ADMIN_TOKEN)));
      const cpuBefore = await cpuOf(servers.map((s) => s.child.pid!));
      const everyReplica: number[] = [];
      const eachReplica: number[] = [];
      for (let i = 0; i < mode.warmup + mode.writes; i++) {
        if (mode.jitterMs > 0) await sleep(Math.random() * mode.jitterMs);
        const message = `write ${++serial}`;
        const [key, text] = mode.large ? [LARGE_KEY, largeText(message)] : ['default', exampleText(message)];
        const written = await db.store.putDocument(key, text, { actor: 'bench' });
        const committedAt = performance.now();
        const applied = await Promise.all(
          streams.map((s) => s.waitFor((e) => e.version === written.version, APPLY_TIMEOUT_MS)),
        );
        const bad = applied.find((e) => e.outcome !== 'partial');
        if (bad) throw new Error(`replicas: version ${written.version} was ${bad.outcome}: ${bad.error}`);
        if (i >= mode.warmup) {
          const delays = applied.map((e) => e.receivedAt - committedAt);
          everyReplica.push(Math.max(...delays));
          eachReplica.push(...delays);
        }
        if (mode.jitterMs === 0) await sleep(GAP_MS);
      }
      const cpu = await cpuOf(servers.map((s) => s.child.pid!));
      const perWrite = (ms: number, before: number) =>
        ((ms - before) / (mode.warmup + mode.writes)).toFixed(1);
      console.error(
        `${mode.name}, N = ${n}: CPU per write, ms: each replica ${cpu.replicas.map((ms, i) => perWrite(ms, cpuBefore.replicas[i]!)).join(' ')}; PostgreSQL ${perWrite(cpu.postgres, cpuBefore.postgres)}`,
      );
      for (const s of streams) s.close();
      await Promise.all(servers.map((s) => s.stop()));

      const label = `${mode.name}, N = ${n}`;
      const all = summarize(everyReplica);
      medians.set(label, all.median);
      figures.push(
        timing(`commit → every replica applied: ${label}`, all, {
          note: `${mode.writes} writes; the slowest of ${n} replica(s) per write`,
        }),
        timing(`commit → one replica applied: ${label}`, summarize(eachReplica), {
          note: `${mode.writes} writes × ${n} replica(s)`,
        }),
      );
      console.error(`${label}: median ${all.median.toFixed(1)} ms, p99 ${all.p99.toFixed(1)} ms`);
    }
  }
  for (const n of onlyOne ? [] : REPLICAS) {
    const push = medians.get(`push, N = ${n}`)!;
    const poll = medians.get(`poll only, N = ${n}`)!;
    figures.push(
      ratio(
        `poll only / push, N = ${n}`,
        poll,
        push,
        `median commit → every replica applied, ${POLL_INTERVAL_MS} ms polling without NOTIFY over NOTIFY (+ 5 s safety poll)`,
      ),
    );
  }
} finally {
  await stopAllServers();
  await db.drop();
}

if (onlyOne) {
  console.log('--only-…: results not written to bench/results (run without it to publish)');
} else {
  publish({
    name: 'replicas',
    title: '2. Database → every replica applied (N = 1, 5, 10 `cfg serve` processes)',
    about: `N real \`cfg serve\` processes (apps/server/dist) in database mode on one PostgreSQL, each followed through its \`GET /api/v1/events\` stream (Server-Sent Events carrying each reload result). A write is \`PgConfigStore.putDocument\` of the example config (~2.5 KB YAML) with a new greeter message, from this process; the time runs from \`putDocument\` resolving (commit acknowledged) to the arrival here of the last replica's \`reload\` event for that version (a partial reload of the greeter). The "${LARGE_MODULES.toLocaleString('en')} modules" case writes a document of that many modules (the example plus static-response modules, ~${Math.round(Buffer.byteLength(largeText('x')) / 1024)} KB) under its own key, still changing only the greeter. "push" is the default: LISTEN/NOTIFY plus a 5 s safety poll. "poll only" is \`--no-notify --poll-interval-ms ${POLL_INTERVAL_MS}\`, with a random 0–${POLL_INTERVAL_MS} ms pause before each write. The first write or two of each case are a warm-up, not counted. All processes share the machine's cores with PostgreSQL and this process.`,
    quick,
    figures,
  });
}
