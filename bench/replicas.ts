/**
 * Bench 2, database → every replica applied: N = 1, 5, 10 real `cfg serve` processes in database
 * mode on one PostgreSQL (a fresh schema, dropped at the end). Each write is `putDocument` of the
 * whole document with a new greeter message; timed from `putDocument` resolving (the commit
 * acknowledged) until every replica's `GET /api/v1/events` stream delivered the `reload` result for
 * that version. Then the same with NOTIFY off (`--no-notify --poll-interval-ms 1000`), where a
 * random pause of up to one interval before each write keeps the writes out of step with the polls.
 * Run: pnpm --filter @cfg/bench bench:replicas [--quick]   (needs apps/server built and PostgreSQL:
 * DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres)
 */
import { isQuick } from './lib/args.js';
import {
  ADMIN_TOKEN,
  assertBuilt,
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
const REPLICAS = quick ? [1, 5] : [1, 5, 10];
const POLL_INTERVAL_MS = 1_000;
const MODES = [
  { name: 'push', args: [], writes: quick ? 10 : 50, warmup: 2, jitterMs: 0 },
  {
    name: 'poll only',
    args: ['--no-notify', '--poll-interval-ms', String(POLL_INTERVAL_MS)],
    // Each write takes about a poll interval: quick mode keeps this short.
    writes: quick ? 3 : 50,
    warmup: quick ? 0 : 1,
    jitterMs: POLL_INTERVAL_MS,
  },
] as const;
/** Pause between writes in push mode, so one write's NOTIFY traffic is over before the next. */
const GAP_MS = 20;
const APPLY_TIMEOUT_MS = 10_000;

await assertBuilt();
const db = await createBenchSchema('replicas');
let serial = 1;
const figures: Figure[] = [];
const medians = new Map<string, number>();
try {
  for (const mode of MODES) {
    for (const n of REPLICAS) {
      const servers = await Promise.all(
        Array.from({ length: n }, () => ServerProcess.start([...db.serveArgs, ...mode.args])),
      );
      const streams = await Promise.all(servers.map((s) => ReloadEvents.open(s.url, ADMIN_TOKEN)));
      const everyReplica: number[] = [];
      const eachReplica: number[] = [];
      for (let i = 0; i < mode.warmup + mode.writes; i++) {
        if (mode.jitterMs > 0) await sleep(Math.random() * mode.jitterMs);
        const written = await db.store.putDocument('default', exampleText(`write ${++serial}`), {
          actor: 'bench',
        });
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
  for (const n of REPLICAS) {
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

publish({
  name: 'replicas',
  title: '2. Database → every replica applied (N = 1, 5, 10 `cfg serve` processes)',
  about: `N real \`cfg serve\` processes (apps/server/dist) in database mode on one PostgreSQL, each followed through its \`GET /api/v1/events\` stream (Server-Sent Events carrying each reload result). A write is \`PgConfigStore.putDocument\` of the example config (~2.5 KB YAML) with a new greeter message, from this process; the time runs from \`putDocument\` resolving (commit acknowledged) to the arrival here of the last replica's \`reload\` event for that version (a partial reload of the greeter). "push" is the default: LISTEN/NOTIFY plus a 5 s safety poll. "poll only" is \`--no-notify --poll-interval-ms ${POLL_INTERVAL_MS}\`, with a random 0–${POLL_INTERVAL_MS} ms pause before each write. The first write or two of each case are a warm-up, not counted. All processes share the machine's cores with PostgreSQL and this process.`,
  quick,
  figures,
});
