/**
 * ConfigReloader decision + apply overhead, excluding module work: configs of 1,000 and 10,000 modules,
 * each change alters exactly one module's config, every module is a no-op Reconfigurable. Each run
 * re-parses the text (JSON fast path of parseConfig), hashes it (hashConfig) and calls handleChange;
 * diffConfigs is timed on its own on the same inputs to show its share of handleChange, and
 * hashBytes of the raw text is timed for comparison with hashConfig (canonical JSON).
 * Run: pnpm --filter @cfg/bench bench:reloader   (imports the BUILT packages: build them first)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { diffConfigs } from '@cfg/diff';
import { ConfigReloader, type Reconfigurable, type ReloadTarget } from '@cfg/reloader';
import { type AppConfig, hashBytes, hashConfig, type ModuleConfig, parseConfig } from '@cfg/source';

const CASES = [
  { modules: 1_000, runs: 300, targetMs: 5 },
  { modules: 10_000, runs: 60, targetMs: 50 },
];
const WARMUP_RUNS = 10;

function makeConfig(count: number, changedRps: number): AppConfig {
  const modules: ModuleConfig[] = [];
  for (let i = 0; i < count; i++) {
    modules.push({
      name: `module-${i}`,
      type: i % 3 === 0 ? 'http' : 'worker',
      config: {
        port: 8000 + i,
        limits: { rps: i === Math.floor(count / 2) ? changedRps : 100, burst: 20 },
        tags: ['a', `t${i % 7}`],
        tls: { on: true },
      },
      dependsOn: i > 0 ? [`module-${i - 1}`] : [],
    });
  }
  return { modules, platform: { region: 'eu' }, workflows: { main: { steps: ['a', 'b'] } } };
}

const NOOP_MODULE: Reconfigurable = { reconfigure() {} };
const target: ReloadTarget = { getModule: () => NOOP_MODULE, fullReload: async () => {} };

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

function timed<T>(work: () => T): [T, number] {
  const start = performance.now();
  const value = work();
  return [value, performance.now() - start];
}

const rows = [];
for (const { modules, runs, targetMs } of CASES) {
  // Two texts that differ in one module; each run alternates, so every handleChange is a real change.
  const texts = [101, 102].map((rps) => JSON.stringify(makeConfig(modules, rps)));
  const filename = `bench-${modules}.json`;
  const first = parseConfig(texts[0]!, { filename });
  const reloader = new ConfigReloader({
    initial: { config: first, hash: hashConfig(first), source: 'bench', loadedAt: new Date() },
    target,
  });
  const times = {
    parse: [] as number[],
    hash: [] as number[],
    hashBytes: [] as number[],
    handleChange: [] as number[],
    diff: [] as number[],
  };

  for (let run = 0; run < WARMUP_RUNS + runs; run++) {
    const previous = reloader.current.config;
    const [config, parseMs] = timed(() => parseConfig(texts[(run + 1) % 2]!, { filename }));
    const [hash, hashMs] = timed(() => hashConfig(config));
    const start = performance.now();
    const result = await reloader.handleChange({ config, hash, source: 'bench', loadedAt: new Date() });
    const handleMs = performance.now() - start;
    if (result.outcome !== 'partial' || result.modules.length !== 1) {
      throw new Error(`expected a partial reload of 1 module, got ${result.outcome} (${result.reason})`);
    }
    const [, diffMs] = timed(() => diffConfigs(previous, config));
    const [, bytesMs] = timed(() => hashBytes(texts[(run + 1) % 2]!));
    if (run < WARMUP_RUNS) continue;
    times.hashBytes.push(bytesMs);
    times.parse.push(parseMs);
    times.hash.push(hashMs);
    times.handleChange.push(handleMs);
    times.diff.push(diffMs);
  }

  const handle = [...times.handleChange].sort((a, b) => a - b);
  const [parseMs, hashMs, handleMs, diffMs] = [times.parse, times.hash, handle, times.diff].map(median) as [
    number,
    number,
    number,
    number,
  ];
  const pipelineMs = parseMs + hashMs + handleMs;
  const share = (ms: number) => `${Math.round((ms / pipelineMs) * 100)}%`;
  rows.push({
    modules,
    runs,
    'handleChange median ms': round(handleMs),
    'handleChange p99 ms': round(percentile(handle, 99)),
    'target ms': targetMs,
    'parse ms': round(parseMs),
    'hash ms': round(hashMs),
    'diff ms': round(diffMs),
    'hashBytes(text) ms': round(median(times.hashBytes)),
    'parse+hash+handle ms': round(pipelineMs),
    'parse %': share(parseMs),
    'hash %': share(hashMs),
    'diff %': share(diffMs),
    'plan+apply+rest %': share(handleMs - diffMs),
  });
}

console.table(rows);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/reloader.json', import.meta.url),
  `${JSON.stringify(
    {
      benchmark:
        'ConfigReloader.handleChange, one changed module, no-op Reconfigurable modules; parse (JSON fast path) and hash timed apart; shares are of parse+hash+handleChange',
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      at: new Date().toISOString(),
      rows,
    },
    null,
    2,
  )}\n`,
);
