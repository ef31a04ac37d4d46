/**
 * parseConfig on the same config written as YAML and as JSON (the JSON.parse fast path), for 10 /
 * 100 / 1,000 modules, plus js-yaml plugged in through parseConfigWith. Also hashBytes of the text,
 * the check every source does before deciding to parse at all. And parse time against the number of
 * keys in one mapping (10k / 40k / 160k), with the growth exponent: the duplicate-key check must be
 * linear (yaml's own `uniqueKeys` compares pairwise: 1.2 / 3.2 / 10.9 s for 10k / 20k / 40k keys).
 * Run: pnpm --filter @cfg/bench bench:parse [--quick]   (imports the BUILT @cfg/source: build it first)
 */
import { type AppConfig, hashBytes, parseConfig, parseConfigWith } from '@cfg/source';
import { dump, load as jsYamlLoad } from 'js-yaml';
import { isQuick } from './lib/args.js';
import { type Figure, ratio, timing, value } from './lib/figures.js';
import { makeConfig } from './lib/fixtures.js';
import { publish } from './lib/results.js';
import { growthExponent, measure, round, type Stats } from './lib/stats.js';

const quick = isQuick();
const CASES = quick
  ? [
      { modules: 10, runs: 200 },
      { modules: 100, runs: 30 },
      { modules: 1_000, runs: 5 },
    ]
  : [
      { modules: 10, runs: 2_000 },
      { modules: 100, runs: 300 },
      { modules: 1_000, runs: 40 },
    ];
const ctx = { filename: 'bench.yaml' };

const figures: Figure[] = [];
for (const { modules, runs } of CASES) {
  const config = makeConfig(modules);
  const yamlText = dump(config);
  const jsonText = JSON.stringify(config, null, 2);
  const checked = (parse: () => AppConfig) => () => {
    if (parse().modules.length !== modules) throw new Error('wrong parse result');
  };
  const variants = [
    { parser: 'yaml (default)', text: yamlText, fn: checked(() => parseConfig(yamlText, ctx)) },
    { parser: 'JSON fast path', text: jsonText, fn: checked(() => parseConfig(jsonText, ctx)) },
    {
      parser: 'js-yaml (plugged)',
      text: yamlText,
      fn: checked(() => parseConfigWith((t) => jsYamlLoad(t), yamlText, ctx)),
    },
    { parser: 'hashBytes only', text: yamlText, fn: () => hashBytes(yamlText) },
  ];
  const byParser: Record<string, Stats> = {};
  for (const { parser, text, fn } of variants) {
    byParser[parser] = measure(fn, { runs });
    const kb = round(Buffer.byteLength(text) / 1024, 1);
    figures.push(timing(`${parser}, ${modules} modules`, byParser[parser], { note: `${kb} KB` }));
  }
  const yaml = byParser['yaml (default)']!.median;
  figures.push(
    ratio(
      `yaml / JSON fast path, ${modules} modules`,
      yaml,
      byParser['JSON fast path']!.median,
      'median parseConfig time of the YAML text over that of the same config as JSON',
    ),
    ratio(
      `yaml / js-yaml, ${modules} modules`,
      yaml,
      byParser['js-yaml (plugged)']!.median,
      'median parseConfig (yaml) over parseConfigWith(js-yaml) on the same YAML text',
    ),
  );
}

// One mapping of N keys (feature flags), parsed with the duplicate-key check: time must grow linearly.
const KEY_COUNTS = [10_000, 40_000, 160_000];
const keyRuns = quick ? 1 : 5;
const byKeys: { size: number; ms: number }[] = [];
for (const keys of KEY_COUNTS) {
  const flags = Array.from({ length: keys }, (_, i) => `      flag_${i}: ${i % 2 === 0}`);
  const text = `modules:\n  - name: flags\n    type: feature-flags\n    config:\n${flags.join('\n')}\n`;
  // Above the default 1 MiB document limit at 160k keys: this row measures growth, not the limit.
  const unlimited = { ...ctx, maxDocumentBytes: Number.POSITIVE_INFINITY };
  const stats = measure(
    () => {
      if (Object.keys(parseConfig(text, unlimited).modules[0]?.config ?? {}).length !== keys)
        throw new Error('wrong parse result');
    },
    { runs: keyRuns, warmup: 1 },
  );
  byKeys.push({ size: keys, ms: stats.median });
  const kb = round(Buffer.byteLength(text) / 1024, 0);
  figures.push(
    timing(`${keys.toLocaleString('en')} keys in one mapping (YAML)`, stats, { note: `${kb} KB` }),
    value(`per key, ${keys.toLocaleString('en')} keys`, (stats.median * 1000) / keys, 'µs'),
  );
}
const keyExponent = growthExponent(byKeys);
figures.push(
  value(
    'growth exponent k, keys in one mapping',
    keyExponent,
    undefined,
    `time ≈ c · keys^k, least squares over ${KEY_COUNTS.map((k) => k.toLocaleString('en')).join(' / ')} keys (yaml's pairwise uniqueKeys: ~1.6, from 1.2 / 3.2 / 10.9 s at 10k / 20k / 40k keys)`,
  ),
  value(
    'growth verdict, keys in one mapping',
    keyExponent <= 1.1 ? 'linear' : 'superlinear',
    undefined,
    'linear when k ≤ 1.1',
  ),
);

publish({
  name: 'parse',
  title: 'parseConfig: yaml vs JSON fast path vs js-yaml, and hashBytes of the same text',
  about:
    'The same generated config as YAML (js-yaml dump) and JSON (2-space indent); each parse is checked for the module count. hashBytes is the hash every source takes before deciding to parse. The keys rows parse one module whose config is one mapping of N boolean flags (duplicate keys checked), without the document size limit.',
  quick,
  figures,
});
