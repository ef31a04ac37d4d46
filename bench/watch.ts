/**
 * Issue 3, watcher only: save → onChange latency, @cfg/watcher's ConfigWatcher against c12's
 * watchConfig, on the same files in the same run. Each save writes a new `revision`, then waits for
 * its delivery (or a timeout: lost), then pauses GAP_MS, which is inside chokidar's 50 ms `change`
 * throttle when the delivery was quick. Beside each latency: the load time of that file alone, warm (read +
 * parse for us, c12's loadConfig for c12), so overhead = latency − debounce − settle wait − load is
 * visible. For ConfigWatcher the load subtracted is the one that save really cost (timed in the
 * source); for c12, which cannot be timed inside, the median alone.
 * Run: pnpm --filter @cfg/bench bench:watch [--quick]   (imports the BUILT @cfg/source and @cfg/watcher)
 * Env: BENCH_SAVES (default 200 per row, 20 with --quick), BENCH_BUDGET_S (default 600, 60 with
 * --quick: rows left when it runs out are skipped, and say so). About 5 minutes on a 2-core machine,
 * most of it 1,000-module parsing; --quick runs four 10-module rows in ~12 s.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ConfigParser, FileSource } from '@cfg/source';
import { ConfigWatcher } from '@cfg/watcher';
import { loadConfig, watchConfig } from 'c12';
import { dump, load as jsYamlLoad } from 'js-yaml';
import { isQuick } from './lib/args.js';
import { type Figure, ratio, timing, value } from './lib/figures.js';
import { makeConfig } from './lib/fixtures.js';
import { publish } from './lib/results.js';
import { measureAsync, summarize } from './lib/stats.js';
import { TimedFileSource } from './lib/timed-file-source.js';

const quick = isQuick();
const SAVES = Number(process.env.BENCH_SAVES ?? (quick ? 20 : 200));
const BUDGET_MS = Number(process.env.BENCH_BUDGET_S ?? (quick ? 60 : 600)) * 1000;
const WARMUP_SAVES = 5;
/** Runs of a load alone; its median is the load subtracted for c12, and shown beside every row. */
const LOAD_ALONE_RUNS = quick ? 5 : 15;
/**
 * Untimed loads before those runs, up to this many or for up to 1 s: the saves are timed warm, so the
 * load they are compared with must be warm too (yaml's parse takes ~20 calls to reach its speed: the
 * first row's cold median was ~10× its warm one).
 */
const LOAD_ALONE_WARMUP = { loads: 20, ms: 1_000 };
const GAP_MS = 15;
/** ConfigWatcher's default: a check waits this long for the bytes to hold still, unless the debounce already did. */
const SETTLE_MS = 10;
const jsYaml: ConfigParser = (text) => jsYamlLoad(text);

type Watcher = 'cfg' | 'cfg+js-yaml' | 'c12';
interface Row {
  watcher: Watcher;
  modules: number;
  debounceMs: number;
}
const FULL_ROWS: Row[] = [
  ...[10, 100].flatMap((modules): Row[] => [
    { watcher: 'cfg', modules, debounceMs: 0 },
    { watcher: 'cfg', modules, debounceMs: 100 },
    // The same parser family as c12 (confbox's YAML is a js-yaml fork): like for like.
    { watcher: 'cfg+js-yaml', modules, debounceMs: 100 },
    { watcher: 'c12', modules, debounceMs: 100 },
  ]),
  { watcher: 'c12', modules: 10, debounceMs: 0 },
  { watcher: 'cfg', modules: 1000, debounceMs: 0 },
  { watcher: 'cfg', modules: 1000, debounceMs: 20 },
  { watcher: 'cfg', modules: 1000, debounceMs: 100 },
  { watcher: 'c12', modules: 1000, debounceMs: 100 },
];
/**
 * Quick: the rows that tell the watchers apart at the lowest cost (10 modules): lost saves at debounce
 * 0, and latency at c12's default debounce. The 1,000-module rows (several seconds each) are full mode only.
 */
const QUICK_ROWS: Row[] = [
  { watcher: 'cfg', modules: 10, debounceMs: 0 },
  { watcher: 'c12', modules: 10, debounceMs: 0 },
  { watcher: 'cfg', modules: 10, debounceMs: 100 },
  { watcher: 'c12', modules: 10, debounceMs: 100 },
];
const ROWS = quick ? QUICK_ROWS : FULL_ROWS;

/** The config body without `revision`, as YAML; each save prepends a new revision. */
const body = (modules: number) => dump(makeConfig(modules));

/** Median ms of `fn` alone, warm. */
async function medianOf(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < LOAD_ALONE_WARMUP.loads && performance.now() - start < LOAD_ALONE_WARMUP.ms; i++) {
    await fn();
  }
  return (await measureAsync(fn, { runs: LOAD_ALONE_RUNS, warmup: 0 })).median;
}

/** Starts one watcher on `dir/config.yaml`; `deliver` is called on each change (with our load time). */
async function startWatcher(row: Row, dir: string, deliver: (revision: number, loadMs?: number) => void) {
  const file = join(dir, 'config.yaml');
  if (row.watcher === 'c12') {
    const watcher = await watchConfig<{ revision: number }>({
      cwd: dir,
      configFile: 'config',
      debounce: row.debounceMs,
      onUpdate: ({ newConfig }) => deliver(newConfig.config.revision),
    });
    return {
      stop: () => watcher.unwatch(),
      loadAlone: () => medianOf(() => loadConfig({ cwd: dir, configFile: 'config' })),
    };
  }
  const parse = row.watcher === 'cfg+js-yaml' ? jsYaml : undefined;
  const source = new TimedFileSource(file, { parse });
  const watcher = new ConfigWatcher(
    source,
    (event) => deliver(event.snapshot.config.revision as number, source.lastLoadMs),
    { debounceMs: row.debounceMs },
  );
  await watcher.start();
  // A fresh source per load: a FileSource does not parse again the bytes its last load parsed.
  return {
    stop: () => watcher.stop(),
    loadAlone: () => medianOf(() => new FileSource(file, { parse }).load()),
  };
}

async function run(row: Row) {
  const dir = await mkdtemp(join(tmpdir(), 'cfg-bench-watch-'));
  const file = join(dir, 'config.yaml');
  const text = body(row.modules);
  const save = (revision: number) => writeFile(file, `revision: ${revision}\n${text}`);
  await save(0);

  const delivered = new Map<number, { at: number; loadMs: number | undefined }>();
  let waiting: { revision: number; resolve: () => void } | undefined;
  const watcher = await startWatcher(row, dir, (revision, loadMs) => {
    delivered.set(revision, { at: performance.now(), loadMs });
    if (waiting?.revision === revision) waiting.resolve();
  });
  const loadMs = await watcher.loadAlone();
  const timeoutMs = row.debounceMs + 5 * loadMs + 150;
  /** Resolves true when `revision` was delivered within the timeout. */
  const arrival = (revision: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      waiting = {
        revision,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
    });

  // Warm-up, not measured: c12 gives no `ready`, so repeat the first save until one arrives.
  let revision = 0;
  for (let arrived = 0; arrived < WARMUP_SAVES; ) {
    revision++;
    const wait = arrival(revision);
    await save(revision);
    if (await wait) arrived++;
  }

  const settleWaitMs = row.watcher === 'c12' || row.debounceMs >= SETTLE_MS ? 0 : SETTLE_MS;
  const latencies: number[] = [];
  const overheads: number[] = [];
  const first = revision + 1;
  let timedOut = 0;
  for (let i = 0; i < SAVES; i++) {
    revision++;
    const wait = arrival(revision);
    await save(revision);
    const savedAt = performance.now();
    if (await wait) {
      const { at, loadMs: loadThisTime } = delivered.get(revision)!;
      latencies.push(at - savedAt);
      overheads.push(at - savedAt - row.debounceMs - settleWaitMs - (loadThisTime ?? loadMs));
    } else timedOut++;
    await sleep(GAP_MS);
  }
  await sleep(500); // a late delivery is slow, not lost
  let neverDelivered = 0;
  for (let r = first; r <= revision; r++) if (!delivered.has(r)) neverDelivered++;
  await watcher.stop();
  await rm(dir, { recursive: true, force: true });
  return { latencies, overheads, loadMs, timeoutMs, settleWaitMs, timedOut, neverDelivered };
}

const label = (row: Row) => `${row.watcher}, ${row.modules} modules, debounce ${row.debounceMs} ms`;

/** Median latency per row label, for the cfg / c12 ratios. */
const medians = new Map<string, number>();
const lostSaves = new Map<string, number>();
const figures: Figure[] = [];
const skipped: string[] = [];
const benchStart = performance.now();
for (const row of ROWS) {
  if (performance.now() - benchStart > BUDGET_MS) {
    skipped.push(label(row));
    console.error(`skipped (time budget): ${label(row)}`);
    continue;
  }
  const result = await run(row);
  const at = label(row);
  const loadAlone = `${result.loadMs.toFixed(1)} ms`;
  const load =
    row.watcher === 'c12' ? `load alone (${loadAlone}, median)` : "that save's load (timed in the source)";
  lostSaves.set(at, result.neverDelivered);
  if (result.latencies.length > 0) {
    const latency = summarize(result.latencies);
    medians.set(at, latency.median);
    figures.push(
      timing(`save → onChange: ${at}`, latency, {
        note: `load alone ${loadAlone}; ${result.neverDelivered} of ${SAVES} saves lost`,
      }),
      timing(`overhead: ${at}`, summarize(result.overheads), {
        note: `latency − debounce ${row.debounceMs} ms − settle wait ${result.settleWaitMs} ms − ${load}`,
      }),
    );
  }
  figures.push(
    value(
      `load alone: ${at}`,
      result.loadMs,
      'ms',
      `median of ${LOAD_ALONE_RUNS} after up to ${LOAD_ALONE_WARMUP.loads} untimed: ${row.watcher === 'c12' ? "c12's loadConfig" : 'FileSource.load (read + parse)'}`,
    ),
    value(
      `lost saves: ${at}`,
      result.neverDelivered,
      `of ${SAVES}`,
      `never delivered; ${result.timedOut} not delivered within the ${result.timeoutMs.toFixed(0)} ms timeout`,
    ),
  );
  console.error(`${at}: median ${medians.get(at)?.toFixed(1) ?? '—'} ms, ${result.neverDelivered} lost`);
}

// cfg against c12 on the rows both ran.
for (const row of ROWS.filter((r) => r.watcher === 'c12')) {
  const c12 = medians.get(label(row));
  for (const watcher of ['cfg', 'cfg+js-yaml'] as const) {
    const ours = medians.get(label({ ...row, watcher }));
    if (c12 === undefined || ours === undefined) continue;
    const at = `${row.modules} modules, debounce ${row.debounceMs} ms`;
    figures.push(
      ratio(
        `${watcher} / c12, ${at}`,
        ours,
        c12,
        `median save → onChange, ${watcher === 'cfg' ? '@cfg (yaml parser)' : '@cfg with js-yaml `parse`'} over c12 watchConfig (saves lost: ${watcher} ${lostSaves.get(label({ ...row, watcher }))}, c12 ${lostSaves.get(label(row))} of ${SAVES})`,
      ),
    );
  }
}
if (skipped.length > 0) {
  figures.push(
    value('rows skipped (time budget)', skipped.join('; '), undefined, `budget ${BUDGET_MS / 1000} s`),
  );
}
figures.push(
  value('load average, 1 min, at the end', loadavg()[0] ?? 0, undefined, 'other work on the machine'),
);

publish({
  name: 'watch',
  title: 'Issue 3, watcher only: writeFile → onChange latency, @cfg/watcher vs c12 watchConfig',
  about: `ConfigWatcher (FileSource, debounce as shown, other options default) and c12 3.3.4 \`watchConfig\` on the same YAML files (makeConfig modules) in the same run. Each of ${SAVES} saves per row rewrites the file with a new \`revision\`, is timed from \`writeFile\` resolving to the onChange / onUpdate call, waits for it (timeout debounce + 5 × load alone + 150 ms), then pauses ${GAP_MS} ms (inside chokidar's 50 ms change throttle); ${WARMUP_SAVES} warm-up saves are not counted. Lost = never delivered, 500 ms after the last save. Overhead = latency − debounce − settle wait (${SETTLE_MS} ms when debounce < ${SETTLE_MS} ms, for @cfg) − load: for @cfg the load that save really cost (timed in FileSource.load), for c12 the median of its loadConfig alone. Load alone is timed warm, after up to ${LOAD_ALONE_WARMUP.loads} untimed loads (the saves are timed warm too). No reloader here: see file-applied for file → applied.`,
  quick,
  figures,
});
