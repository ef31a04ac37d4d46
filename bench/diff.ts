/**
 * diffConfigs on configs of 1,000 / 10,000 / 50,000 modules where exactly one module changed, the
 * shape a reloader sees after a re-parse: equal content everywhere else, but no shared objects.
 * Run: pnpm --filter @cfg/bench bench:diff   (imports the BUILT @cfg/diff: build it first)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { diffConfigs } from '@cfg/diff';
import type { AppConfig, ModuleConfig } from '@cfg/source';

const CASES = [
  { modules: 1_000, runs: 300 },
  { modules: 10_000, runs: 100 },
  { modules: 50_000, runs: 40 },
];
const WARMUP_RUNS = 5;

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

const rows = CASES.map(({ modules, runs }) => {
  const previous = makeConfig(modules);
  const next = JSON.parse(JSON.stringify(previous)) as AppConfig;
  const changed = next.modules[Math.floor(modules / 2)]?.config?.limits as { rps: number };
  changed.rps = 101;

  const times: number[] = [];
  for (let run = 0; run < WARMUP_RUNS + runs; run++) {
    const start = performance.now();
    const result = diffConfigs(previous, next);
    const elapsed = performance.now() - start;
    if (result.modules.modified.length !== 1 || result.modules.unchanged.length !== modules - 1) {
      throw new Error(`wrong diff for ${modules} modules: ${result.modules.modified.length} modified`);
    }
    if (run >= WARMUP_RUNS) times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  const median = percentile(times, 50);
  return {
    modules,
    runs,
    medianMs: round(median, 3),
    p99Ms: round(percentile(times, 99), 3),
    perModuleUs: round((median * 1000) / modules, 3),
  };
});

console.table(rows);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/diff.json', import.meta.url),
  `${JSON.stringify(
    {
      benchmark: 'diffConfigs, one changed module, inputs re-parsed (no shared objects)',
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
