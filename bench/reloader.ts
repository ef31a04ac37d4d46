/**
 * ConfigReloader decision + apply overhead, excluding module work: configs of 1,000 and 10,000 modules,
 * each change alters exactly one module's config, every module is a no-op Reconfigurable. Each run
 * re-parses the text (JSON fast path of parseConfig), hashes it (hashConfig) and calls handleChange;
 * diffConfigs is timed on its own on the same inputs to show its share of handleChange, and
 * hashBytes of the raw text is timed for comparison with hashConfig (canonical JSON).
 * Run: pnpm --filter @cfg/bench bench:reloader [--quick]   (imports the BUILT packages: build them first)
 */
import { diffConfigs } from '@cfg/diff';
import { ConfigReloader, type Reconfigurable, type ReloadTarget } from '@cfg/reloader';
import { hashBytes, hashConfig, parseConfig } from '@cfg/source';
import { isQuick } from './lib/args.js';
import { type Figure, ratio, timing, value } from './lib/figures.js';
import { makeConfig } from './lib/fixtures.js';
import { publish } from './lib/results.js';
import { summarize, timed } from './lib/stats.js';

const quick = isQuick();
const CASES = quick
  ? [
      { modules: 1_000, runs: 30, targetMs: 5 },
      { modules: 10_000, runs: 5, targetMs: 50 },
    ]
  : [
      { modules: 1_000, runs: 300, targetMs: 5 },
      { modules: 10_000, runs: 60, targetMs: 50 },
    ];
const WARMUP_RUNS = 10;

const NOOP_MODULE: Reconfigurable = { reconfigure() {} };
const target: ReloadTarget = { getModule: () => NOOP_MODULE, fullReload: async () => {} };

const figures: Figure[] = [];
for (const { modules, runs, targetMs } of CASES) {
  // Two texts that differ in one module; each run alternates, so every handleChange is a real change.
  const texts = [101, 102].map((rps) => JSON.stringify(makeConfig(modules, rps)));
  // 10,000 modules pass the 1 MiB document limit: this bench measures the reloader, not the limit.
  const ctx = { filename: `bench-${modules}.json`, maxDocumentBytes: Number.POSITIVE_INFINITY };
  const first = parseConfig(texts[0]!, ctx);
  const reloader = new ConfigReloader({
    initial: { config: first, hash: hashConfig(first), source: 'bench', loadedAt: new Date() },
    target,
  });
  const samples = { parse: [] as number[], hash: [] as number[], hashBytes: [] as number[] };
  const more = { handleChange: [] as number[], diff: [] as number[], pipeline: [] as number[] };

  for (let run = 0; run < WARMUP_RUNS + runs; run++) {
    const text = texts[(run + 1) % 2]!;
    const previous = reloader.current.config;
    const [config, parseMs] = timed(() => parseConfig(text, ctx));
    const [hash, hashMs] = timed(() => hashConfig(config));
    const start = performance.now();
    const result = await reloader.handleChange({ config, hash, source: 'bench', loadedAt: new Date() });
    const handleMs = performance.now() - start;
    if (result.outcome !== 'partial' || result.modules.length !== 1) {
      throw new Error(`expected a partial reload of 1 module, got ${result.outcome} (${result.reason})`);
    }
    const [, diffMs] = timed(() => diffConfigs(previous, config));
    const [, bytesMs] = timed(() => hashBytes(text));
    if (run < WARMUP_RUNS) continue;
    samples.parse.push(parseMs);
    samples.hash.push(hashMs);
    samples.hashBytes.push(bytesMs);
    more.handleChange.push(handleMs);
    more.diff.push(diffMs);
    more.pipeline.push(parseMs + hashMs + handleMs);
  }

  const at = `${modules.toLocaleString('en')} modules`;
  const handle = summarize(more.handleChange);
  const pipeline = summarize(more.pipeline);
  const diff = summarize(more.diff);
  const parse = summarize(samples.parse);
  const hash = summarize(samples.hash);
  const share = (ms: number) => `${Math.round((ms / pipeline.median) * 100)} % of parse+hash+handleChange`;
  figures.push(
    timing(`handleChange, ${at}`, handle, { note: `target ${targetMs} ms` }),
    timing(`parse (JSON fast path), ${at}`, parse, { note: share(parse.median) }),
    timing(`hashConfig, ${at}`, hash, { note: share(hash.median) }),
    timing(`diffConfigs alone, ${at}`, diff, { note: share(diff.median) }),
    timing(`hashBytes(text), ${at}`, summarize(samples.hashBytes)),
    timing(`parse + hash + handleChange, ${at}`, pipeline),
    value(
      `plan + apply + rest (handleChange − diff), ${at}`,
      handle.median - diff.median,
      'ms',
      share(handle.median - diff.median),
    ),
    ratio(
      `handleChange / target, ${at}`,
      handle.median,
      targetMs,
      'median handleChange over the target set for this size (below 1 meets it)',
    ),
  );
}

publish({
  name: 'reloader',
  title: 'ConfigReloader.handleChange overhead: one changed module among 1,000 / 10,000',
  about:
    'Every module is a no-op Reconfigurable, so only the reloader is timed; each change is checked to be a partial reload of 1 module. Parse (JSON fast path) and hashConfig are timed apart; shares are of parse+hash+handleChange medians.',
  quick,
  figures,
});
