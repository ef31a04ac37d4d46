/**
 * parseConfig on the same config written as YAML and as JSON (the JSON.parse fast path), for 10 /
 * 100 / 1,000 modules, plus js-yaml plugged in through parseConfigWith. Also hashBytes of the text,
 * the check every source does before deciding to parse at all.
 * Run: pnpm --filter @cfg/bench bench:parse   (imports the BUILT @cfg/source: build it first)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { type AppConfig, hashBytes, type ModuleConfig, parseConfig, parseConfigWith } from '@cfg/source';
import { dump, load as jsYamlLoad } from 'js-yaml';

const CASES = [
  { modules: 10, runs: 2_000 },
  { modules: 100, runs: 300 },
  { modules: 1_000, runs: 40 },
];
const WARMUP_RUNS = 5;
const ctx = { filename: 'bench.yaml' };

function makeConfig(count: number): AppConfig {
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
  return { modules, platform: { region: 'eu' }, workflows: { main: { steps: ['a', 'b'] } } };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** Median and p99 in ms of `fn` over `runs`, after a warm-up; checks every result. */
function measure(runs: number, fn: () => AppConfig, expectedModules: number) {
  const times: number[] = [];
  for (let run = 0; run < WARMUP_RUNS + runs; run++) {
    const start = performance.now();
    const config = fn();
    const elapsed = performance.now() - start;
    if (config.modules.length !== expectedModules) throw new Error('wrong parse result');
    if (run >= WARMUP_RUNS) times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  return { medianMs: round(percentile(times, 50), 3), p99Ms: round(percentile(times, 99), 3) };
}

const rows = CASES.flatMap(({ modules, runs }) => {
  const config = makeConfig(modules);
  const yamlText = dump(config);
  const jsonText = JSON.stringify(config, null, 2);
  const variants = [
    { parser: 'yaml (default)', text: yamlText, fn: () => parseConfig(yamlText, ctx) },
    { parser: 'JSON fast path', text: jsonText, fn: () => parseConfig(jsonText, ctx) },
    {
      parser: 'js-yaml (plugged)',
      text: yamlText,
      fn: () => parseConfigWith((t) => jsYamlLoad(t), yamlText, ctx),
    },
    {
      parser: 'hashBytes only',
      text: yamlText,
      fn: () => {
        hashBytes(yamlText);
        return config;
      },
    },
  ];
  return variants.map(({ parser, text, fn }) => ({
    modules,
    parser,
    kb: round(Buffer.byteLength(text) / 1024, 1),
    ...measure(runs, fn, modules),
  }));
});

console.table(rows);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/parse.json', import.meta.url),
  `${JSON.stringify(
    {
      benchmark: 'parseConfig: yaml vs JSON fast path vs js-yaml, and hashBytes of the same text',
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
