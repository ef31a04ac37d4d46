/**
 * Save → onChange latency: @cfg/watcher's ConfigWatcher against c12's watchConfig, on the same
 * files in the same run. Each save writes a new `revision`, then waits for its delivery (or a
 * timeout: lost), then pauses GAP_MS, which is inside chokidar's 50 ms `change` throttle when the
 * delivery was quick. Beside each latency: the load time of that file alone (read + parse for us,
 * c12's loadConfig for c12), so overhead = latency − debounce − settle wait − load is visible. For
 * ConfigWatcher the load subtracted is the one that save really cost (timed in the source); for c12,
 * which cannot be timed inside, the median alone.
 * Run: pnpm --filter @cfg/bench bench:watch   (imports the BUILT @cfg/source and @cfg/watcher)
 * Env: BENCH_SAVES (default 200 per row), BENCH_BUDGET_S (default 600: rows left when it runs out
 * are skipped, and say so). About 5 minutes on a 2-core machine, most of it 1,000-module parsing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ConfigParser,
  type ConfigSnapshot,
  FileSource,
  type LoadOptions,
  type ModuleConfig,
} from '@cfg/source';
import { ConfigWatcher } from '@cfg/watcher';
import { loadConfig, watchConfig } from 'c12';
import { dump, load as jsYamlLoad } from 'js-yaml';

const SAVES = Number(process.env.BENCH_SAVES ?? 200);
const BUDGET_MS = Number(process.env.BENCH_BUDGET_S ?? 600) * 1000;
const WARMUP_SAVES = 5;
const GAP_MS = 15;
/** ConfigWatcher's default: a check waits this long for the bytes to hold still, unless the debounce already did. */
const SETTLE_MS = 10;
const jsYaml: ConfigParser = (text) => jsYamlLoad(text);

interface Row {
  watcher: string;
  modules: number;
  debounceMs: number;
}
const ROWS: Row[] = [
  ...[10, 100].flatMap((modules) => [
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

/** The config body without `revision`, as YAML; each save prepends a new revision. */
function body(count: number): string {
  const modules: ModuleConfig[] = [];
  for (let i = 0; i < count; i++) {
    modules.push({
      name: `module-${i}`,
      type: i % 3 === 0 ? 'http' : 'worker',
      config: {
        port: 8000 + i,
        limits: { rps: 100, burst: 20 },
        tags: ['a', `t${i % 7}`],
        tls: { on: true },
      },
      dependsOn: i > 0 ? [`module-${i - 1}`] : [],
    });
  }
  return dump({ modules, platform: { region: 'eu' }, workflows: { main: { steps: ['a', 'b'] } } });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const round = (value: number) => Number(value.toFixed(1));

/** Median time of `fn` alone. */
async function medianOf(fn: () => Promise<unknown>, runs = 15): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return percentile(
    times.sort((a, b) => a - b),
    50,
  );
}

/** A FileSource that times each load, so overhead subtracts the parse that save really cost. */
class TimedFileSource extends FileSource {
  lastLoadMs = Number.NaN;

  override async load(opts?: LoadOptions): Promise<ConfigSnapshot> {
    const start = performance.now();
    try {
      return await super.load(opts);
    } finally {
      this.lastLoadMs = performance.now() - start;
    }
  }
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
  return { stop: () => watcher.stop(), loadAlone: () => medianOf(() => source.load()) };
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
  let lost = 0;
  for (let i = 0; i < SAVES; i++) {
    revision++;
    const wait = arrival(revision);
    await save(revision);
    const savedAt = performance.now();
    if (await wait) {
      const { at, loadMs: loadThisTime } = delivered.get(revision)!;
      latencies.push(at - savedAt);
      overheads.push(at - savedAt - row.debounceMs - settleWaitMs - (loadThisTime ?? loadMs));
    } else lost++;
    await sleep(GAP_MS);
  }
  await sleep(500); // a late delivery is slow, not lost
  let neverDelivered = 0;
  for (let r = first; r <= revision; r++) if (!delivered.has(r)) neverDelivered++;
  await watcher.stop();
  await rm(dir, { recursive: true, force: true });

  latencies.sort((a, b) => a - b);
  overheads.sort((a, b) => a - b);
  return {
    watcher: row.watcher,
    modules: row.modules,
    debounceMs: row.debounceMs,
    saves: SAVES,
    medianMs: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    loadAloneMs: round(loadMs),
    settleWaitMs,
    overheadMedianMs: round(percentile(overheads, 50)),
    overheadP99Ms: round(percentile(overheads, 99)),
    timedOut: lost,
    neverDelivered,
  };
}

const results = [];
const benchStart = performance.now();
for (const row of ROWS) {
  if (performance.now() - benchStart > BUDGET_MS) {
    console.error(`skipped (time budget): ${row.watcher} ${row.modules} modules, debounce ${row.debounceMs}`);
    continue;
  }
  const result = await run(row);
  console.error(
    `${row.watcher} ${row.modules} modules, debounce ${row.debounceMs}: median ${result.medianMs} ms`,
  );
  results.push(result);
}
console.table(results);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/watch.json', import.meta.url),
  `${JSON.stringify(
    {
      benchmark:
        'save → onChange latency: @cfg/watcher ConfigWatcher vs c12 watchConfig, same files, same run',
      method: `${SAVES} saves per row, each awaited, ${GAP_MS} ms apart; overhead = latency − debounce − settle wait − load alone`,
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      loadAverage1m: round(loadavg()[0] ?? 0),
      at: new Date().toISOString(),
      rows: results,
    },
    null,
    2,
  )}\n`,
);
