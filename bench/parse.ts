/**
 * parseConfig on the same config written as YAML and as JSON (the JSON.parse fast path), for 10 /
 * 100 / 1,000 modules, plus js-yaml plugged in through parseConfigWith. Also hashBytes of the text,
 * the check every source does before deciding to parse at all.
 * Run: pnpm --filter @cfg/bench bench:parse [--quick]   (imports the BUILT @cfg/source: build it first)
 */
import { type AppConfig, hashBytes, parseConfig, parseConfigWith } from '@cfg/source';
import { dump, load as jsYamlLoad } from 'js-yaml';
import { isQuick } from './lib/args.js';
import { type Figure, ratio, timing } from './lib/figures.js';
import { makeConfig } from './lib/fixtures.js';
import { publish } from './lib/results.js';
import { measure, round, type Stats } from './lib/stats.js';

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

publish({
  name: 'parse',
  title: 'parseConfig: yaml vs JSON fast path vs js-yaml, and hashBytes of the same text',
  about:
    'The same generated config as YAML (js-yaml dump) and JSON (2-space indent); each parse is checked for the module count. hashBytes is the hash every source takes before deciding to parse.',
  quick,
  figures,
});
