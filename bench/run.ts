/**
 * `pnpm bench [--quick]`: runs every bench below as its own child process, in this order, collects
 * bench/results/<name>.json and regenerates docs/BENCHMARKS.md. Exits 1 when a bench fails, writes
 * no valid results, or is missing — except the ones marked `written: false`, which may be missing
 * (they are listed as "not yet written"; once the file exists it runs, and must succeed).
 * Run: pnpm bench [--quick]   or   pnpm --filter @cfg/bench run-all [--quick]   (packages built first)
 * `--only http-write,idle` re-runs those and keeps every other bench's results as they are.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isQuick, onlyBenches } from './lib/args.js';
import { type BenchOutcome, renderBenchmarksDoc } from './lib/benchmarks-doc.js';
import { machineInfo } from './lib/machine.js';
import { DATABASE_URL, postgresVersion } from './lib/postgres.js';
import { readResults, resultsFile } from './lib/results.js';
import { formatTable } from './lib/table.js';

interface Bench {
  /** `bench/<name>.ts`, `bench/results/<name>.json`, script `bench:<name>`. */
  name: string;
  /** The question it answers (the numbering for the system benches). */
  question: string;
  /** `false`: allowed to be missing for now. */
  written: boolean;
  /** Extra Node flags for the child. */
  nodeArgs?: readonly string[];
  needsPostgres?: boolean;
}

/** Every bench, in run order. Add a bench here, and a `bench:<name>` script in bench/package.json. */
const BENCHES: readonly Bench[] = [
  { name: 'parse', question: 'parseConfig cost: yaml, JSON fast path, js-yaml', written: true },
  {
    name: 'incremental',
    question: "Issue 14's incremental parse: a one-module edit vs a full parse, and the cold first load",
    written: true,
  },
  { name: 'diff', question: 'diffConfigs cost at 1k–50k modules', written: true },
  { name: 'reloader', question: 'ConfigReloader.handleChange overhead', written: true },
  {
    name: 'pg-store',
    question: "Issue 4's store: putDocument throughput and NOTIFY latency vs a raw upsert + pg_notify loop",
    written: true,
    needsPostgres: true,
  },
  {
    name: 'watch',
    question: "Issue 3's watcher only: writeFile → onChange latency, lost saves, vs c12 watchConfig",
    written: true,
  },
  {
    name: 'vs-c12',
    question:
      "Issue 14's targets: save → delivered vs c12 and a chokidar + yaml hand-roll (child processes, interleaved), lost last saves, 10,000 modules applied, cold first load",
    written: true,
  },
  {
    name: 'core-scale',
    question: '4. Scale of the core: parse + hash + diff + plan, 100 → 50,000 modules',
    written: true,
  },
  {
    name: 'soak',
    question: '5. Soak: 10,000 reloads, memory and handles',
    written: true,
    nodeArgs: ['--expose-gc'],
  },
  {
    name: 'file-applied',
    question: '1. File → applied (watcher + reloader), vs c12 and js-yaml',
    written: true,
  },
  {
    name: 'replicas',
    question: '2. Database → every replica applied (N = 1, 5, 10)',
    written: true,
    needsPostgres: true,
  },
  {
    name: 'http-write',
    question: '3. HTTP write path (PUT config, autocannon)',
    written: true,
    needsPostgres: true,
  },
  {
    name: 'idle',
    question: '6. Idle cost of `cfg serve` (push + safety poll vs 1 s polling)',
    written: true,
    needsPostgres: true,
  },
  {
    name: 'big-document',
    question: '7. A document at the size limit: /healthz and module routes while a replica applies it',
    written: true,
  },
  {
    name: 'references',
    question: 'Issue 15: resolving 100 secret references in 1,000 modules; secret rotation → onChange',
    written: true,
  },
  {
    name: 'secret-rotation',
    question:
      'Issue 15: a rotated secret file → a running cfg serve accepts the new password (file and database mode)',
    written: true,
    needsPostgres: true,
  },
  {
    name: 'db-stall',
    question:
      'Issue 11: PUT answer time with the row lock held (bounded by the lock timeout), /readyz meanwhile',
    written: true,
    needsPostgres: true,
  },
  {
    name: 'fleet',
    question: '8. Fleet reporting: extra time per reload, DB writes per minute per idle instance',
    written: true,
    needsPostgres: true,
  },
];

const quick = isQuick();
const only = onlyBenches();
for (const name of only ?? []) {
  if (!BENCHES.some((b) => b.name === name)) throw new Error(`--only: no bench named "${name}"`);
}
const TIMEOUT_MS = quick ? 120_000 : 30 * 60_000;
const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const DOC = new URL('../docs/BENCHMARKS.md', import.meta.url);

const postgres = await postgresVersion();
const outcomes: BenchOutcome[] = [];
for (const bench of BENCHES)
  outcomes.push(only && !only.has(bench.name) ? keptBench(bench) : runBench(bench));

writeFileSync(
  DOC,
  renderBenchmarksDoc({
    date: new Date(),
    quick,
    command: quick ? 'pnpm bench --quick' : 'pnpm bench',
    machine: machineInfo(),
    node: process.version,
    postgres: postgres.ok ? postgres.version : `not reachable at ${DATABASE_URL} (${postgres.reason})`,
    outcomes,
  }),
);

console.log(
  `\n${formatTable(outcomes.map(({ name, status, reason, seconds }) => ({ bench: name, status, seconds: seconds?.toFixed(1) ?? '', reason: reason ?? '' })))}`,
);
console.log(`\nwrote ${fileURLToPath(DOC)}`);
const bad = outcomes.filter((o) => o.status === 'failed' || o.status === 'missing');
if (bad.length > 0) {
  console.error(`${bad.length} bench(es) did not produce results: ${bad.map((o) => o.name).join(', ')}`);
  process.exitCode = 1;
}

/** The results a bench left in an earlier run (`--only` skipped it); never throws. */
function keptBench(bench: Bench): BenchOutcome {
  const { name, question } = bench;
  const file = resultsFile(name);
  if (!existsSync(file)) {
    return bench.written
      ? { name, question, status: 'missing', reason: `not run (--only) and no bench/results/${name}.json` }
      : { name, question, status: 'not yet written' };
  }
  try {
    const results = readResults(file);
    if (results.quick !== quick)
      return {
        name,
        question,
        status: 'failed',
        reason: `kept results/${name}.json has quick: ${results.quick}`,
      };
    return { name, question, status: 'ok', reason: `results of ${results.date} (not re-run)`, results };
  } catch (error) {
    const reason = `results/${name}.json: ${error instanceof Error ? error.message : String(error)}`;
    return { name, question, status: 'failed', reason };
  }
}

/** Runs one bench in a child process and reads back what it wrote; never throws. */
function runBench(bench: Bench): BenchOutcome {
  const { name, question } = bench;
  const script = `${name}.ts`;
  if (!existsSync(new URL(script, import.meta.url))) {
    return bench.written
      ? { name, question, status: 'missing', reason: `bench/${script} does not exist` }
      : { name, question, status: 'not yet written' };
  }
  if (bench.needsPostgres && !postgres.ok) {
    return { name, question, status: 'failed', reason: `needs PostgreSQL, not reachable at ${DATABASE_URL}` };
  }
  const file = resultsFile(name);
  rmSync(file, { force: true }); // a stale file must not pass for this run's results
  console.log(`\n=== ${name} ===`);
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    [...(bench.nodeArgs ?? []), '--import', 'tsx', script, ...(quick ? ['--quick'] : [])],
    { cwd: BENCH_DIR, stdio: 'inherit', timeout: TIMEOUT_MS },
  );
  const seconds = (performance.now() - started) / 1000;
  const failed = (reason: string): BenchOutcome => ({ name, question, status: 'failed', reason, seconds });
  if (child.error) {
    const timedOut = (child.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
    return failed(timedOut ? `timed out after ${TIMEOUT_MS / 1000} s (killed)` : child.error.message);
  }
  if (child.signal) return failed(`killed by ${child.signal}`);
  if (child.status !== 0) return failed(`exited with code ${child.status}`);
  if (!existsSync(file)) return failed(`exited 0 but wrote no bench/results/${name}.json`);
  try {
    const results = readResults(file);
    if (results.name !== name) return failed(`results/${name}.json is named "${results.name}"`);
    if (results.quick !== quick) {
      return failed(`results/${name}.json has quick: ${results.quick}; the bench must honour --quick`);
    }
    return { name, question, status: 'ok', seconds, results };
  } catch (error) {
    return failed(`results/${name}.json: ${error instanceof Error ? error.message : String(error)}`);
  }
}
