/**
 * Bench 4, scale of the core: the steps between "new bytes arrived" and "we know what to do" — parse
 * (YAML, and the JSON fast path), hash the bytes, diff against the running config, plan — for 100 /
 * 1,000 / 10,000 / 50,000 modules. Reports time per module at each size (linear growth keeps it
 * flat), the dominant step, and hashing against the physical floor: raw `crypto` SHA-256 on the same
 * bytes. The changed module sits mid-way along a `dependsOn` chain through every module, so `plan`
 * walks the whole chain (its worst case).
 * Run: pnpm --filter @cfg/bench bench:core-scale [--quick]   (imports the BUILT packages: build them first)
 */
import { createHash } from 'node:crypto';
import { diffConfigs } from '@cfg/diff';
import { planReload } from '@cfg/reloader';
import { type AppConfig, hashBytes, hashConfig, parseConfig } from '@cfg/source';
import { dump } from 'js-yaml';
import { isQuick } from './lib/args.js';
import { type Figure, ratio, timing, value } from './lib/figures.js';
import { makeConfig } from './lib/fixtures.js';
import { publish } from './lib/results.js';
import { growthExponent, type Stats, summarize, timed } from './lib/stats.js';

const quick = isQuick();
const SIZES = quick
  ? [
      { modules: 100, runs: 20, warmup: 5 },
      { modules: 1_000, runs: 5, warmup: 1 },
      { modules: 10_000, runs: 2, warmup: 0 },
    ]
  : [
      { modules: 100, runs: 200, warmup: 20 },
      { modules: 1_000, runs: 40, warmup: 5 },
      { modules: 10_000, runs: 8, warmup: 1 },
      { modules: 50_000, runs: 4, warmup: 1 },
    ];

const STEPS = [
  'parse YAML',
  'parse JSON',
  'hashBytes YAML',
  'hashBytes JSON',
  'diff',
  'plan',
  'hashConfig',
  'raw sha256 YAML',
] as const;
type Step = (typeof STEPS)[number];
const YAML_PATH: readonly Step[] = ['parse YAML', 'hashBytes YAML', 'diff', 'plan'];
const JSON_PATH: readonly Step[] = ['parse JSON', 'hashBytes JSON', 'diff', 'plan'];

/** From 10,000 modules the texts pass the 1 MiB document limit: this bench measures scale, not the limit. */
const unlimited = (filename: string) => ({ filename, maxDocumentBytes: Number.POSITIVE_INFINITY });

const rawSha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`core-scale: ${what}`);
}

/** Times every step once, in pipeline order, on fresh parses; returns ms per step. */
function runOnce(previous: AppConfig, yaml: Buffer, json: Buffer, modules: number): Record<Step, number> {
  const ms = {} as Record<Step, number>;
  const step = <T>(name: Step, work: () => T): T => {
    const [result, elapsed] = timed(work);
    ms[name] = elapsed;
    return result;
  };
  const fromYaml = step('parse YAML', () => parseConfig(yaml.toString('utf8'), unlimited('scale.yaml')));
  const next = step('parse JSON', () => parseConfig(json.toString('utf8'), unlimited('scale.json')));
  const yamlHash = step('hashBytes YAML', () => hashBytes(yaml));
  step('hashBytes JSON', () => hashBytes(json));
  const diff = step('diff', () => diffConfigs(previous, next));
  const plan = step('plan', () => planReload(diff, next, () => true));
  step('hashConfig', () => hashConfig(next));
  const rawHash = step('raw sha256 YAML', () => rawSha256(yaml));

  check(fromYaml.modules.length === modules && next.modules.length === modules, 'wrong module count');
  check(yamlHash === rawHash, 'hashBytes differs from raw sha256 on the same bytes');
  check(
    diff.modules.modified.length === 1,
    `expected 1 modified module, got ${diff.modules.modified.length}`,
  );
  check(plan.kind === 'partial', `expected a partial plan, got ${plan.kind}`);
  return ms;
}

/** Both texts of a config, as the Buffers a file source reads: parse decodes them, hashing takes the bytes. */
function texts(config: AppConfig): { yaml: Buffer; json: Buffer } {
  return { yaml: Buffer.from(dump(config)), json: Buffer.from(JSON.stringify(config, null, 2)) };
}

// Warm every code path up on a mid-size config first, so the smallest size is not timed cold.
const warm = texts(makeConfig(1_000, 101));
for (let run = 0; run < 3; run++) runOnce(makeConfig(1_000), warm.yaml, warm.json, 1_000);

const figures: Figure[] = [];
const perModule: {
  modules: number;
  yamlBytes: number;
  yaml: number;
  json: number;
  stats: Record<Step, Stats>;
}[] = [];

for (const { modules, runs, warmup } of SIZES) {
  const previous = makeConfig(modules);
  const { yaml, json } = texts(makeConfig(modules, 101));
  const samples = Object.fromEntries(STEPS.map((s) => [s, [] as number[]])) as Record<Step, number[]>;
  const pipelines = { yaml: [] as number[], json: [] as number[] };
  for (let run = 0; run < warmup + runs; run++) {
    const ms = runOnce(previous, yaml, json, modules);
    if (run < warmup) continue;
    for (const s of STEPS) samples[s].push(ms[s]);
    pipelines.yaml.push(YAML_PATH.reduce((sum, s) => sum + ms[s], 0));
    pipelines.json.push(JSON_PATH.reduce((sum, s) => sum + ms[s], 0));
  }

  const at = `${modules.toLocaleString('en')} modules`;
  const stats = Object.fromEntries(STEPS.map((s) => [s, summarize(samples[s])])) as Record<Step, Stats>;
  const yamlPath = summarize(pipelines.yaml);
  const jsonPath = summarize(pipelines.json);
  const mb = (bytes: Buffer) => `${(bytes.length / 1e6).toFixed(2)} MB`;
  figures.push(
    timing(`YAML path (parse YAML + hashBytes + diff + plan), ${at}`, yamlPath, { note: mb(yaml) }),
    timing(`JSON path (parse JSON + hashBytes + diff + plan), ${at}`, jsonPath, { note: mb(json) }),
    ...STEPS.map((s) => timing(`${s}, ${at}`, stats[s])),
    value(`YAML path per module, ${at}`, (yamlPath.median * 1000) / modules, 'µs'),
    value(`JSON path per module, ${at}`, (jsonPath.median * 1000) / modules, 'µs'),
  );
  perModule.push({
    modules,
    yamlBytes: yaml.length,
    yaml: yamlPath.median / modules,
    json: jsonPath.median / modules,
    stats,
  });
}

const smallest = perModule[0]!;
const largest = perModule[perModule.length - 1]!;
const span = `${largest.modules.toLocaleString('en')} vs ${smallest.modules.toLocaleString('en')} modules`;

/** The growth exponent of the median path time over module counts (1 = linear). */
const pathExponent = (path: 'yaml' | 'json') =>
  growthExponent(perModule.map((p) => ({ size: p.modules, ms: p[path] * p.modules })));
const exponent = { yaml: pathExponent('yaml'), json: pathExponent('json') };
const LINEAR_UP_TO = 1.1;

/** The step with the largest median share of a path at the largest size. */
function dominant(path: readonly Step[]): string {
  const total = path.reduce((sum, s) => sum + largest.stats[s].median, 0);
  const top = [...path].sort((a, b) => largest.stats[b].median - largest.stats[a].median)[0]!;
  return `${top} (${Math.round((largest.stats[top].median / total) * 100)} % of the path)`;
}

const big = `${largest.modules.toLocaleString('en')} modules`;
const medianAtLargest = (step: Step) => largest.stats[step].median;
figures.push(
  ratio(
    `per-module growth, YAML path, ${span}`,
    largest.yaml,
    smallest.yaml,
    'median YAML-path time per module at the largest size over that at the smallest (1 = perfectly linear)',
  ),
  ratio(
    `per-module growth, JSON path, ${span}`,
    largest.json,
    smallest.json,
    'median JSON-path time per module at the largest size over that at the smallest (1 = perfectly linear)',
  ),
  value(
    'growth exponent k, YAML path',
    exponent.yaml,
    undefined,
    'time ≈ c · modules^k, least squares over all sizes',
  ),
  value(
    'growth exponent k, JSON path',
    exponent.json,
    undefined,
    'time ≈ c · modules^k, least squares over all sizes',
  ),
  value(
    'growth verdict',
    Math.max(exponent.yaml, exponent.json) <= LINEAR_UP_TO ? 'linear' : 'superlinear',
    undefined,
    `linear when k ≤ ${LINEAR_UP_TO} on both paths`,
  ),
  value(`dominant step, YAML path, ${big}`, dominant(YAML_PATH)),
  value(`dominant step, JSON path, ${big}`, dominant(JSON_PATH)),
  ratio(
    `hashBytes / raw sha256, ${big}`,
    medianAtLargest('hashBytes YAML'),
    medianAtLargest('raw sha256 YAML'),
    "median hashBytes over crypto.createHash('sha256').update().digest('hex') on the same YAML bytes (1 = at the physical floor)",
  ),
  value(
    `raw sha256 throughput, ${big}`,
    (largest.yamlBytes / 1e6 / medianAtLargest('raw sha256 YAML')) * 1000,
    'MB/s',
  ),
  ratio(
    `hashConfig / hashBytes, ${big}`,
    medianAtLargest('hashConfig'),
    medianAtLargest('hashBytes JSON'),
    'median hashConfig(parsed config) over hashBytes of the JSON text of the same config (the price of canonical JSON)',
  ),
);

publish({
  name: 'core-scale',
  title: `Bench 4, scale of the core: parse + hash + diff + plan, ${SIZES.map((s) => s.modules.toLocaleString('en')).join(' → ')} modules`,
  about:
    'Each run parses fresh (YAML via the default yaml parser, JSON via the fast path), hashes the bytes (hashBytes), diffs against the running config (one module changed) and plans (partial); every result is checked. Time per module shows whether growth is linear. Raw sha256 on the same bytes is the floor for hashing; hashConfig is the canonical-JSON hash the reloader uses when no bytes exist.',
  quick,
  figures,
});
