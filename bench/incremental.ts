/**
 * Incremental parsing (issue 14): a one-module edit of a 1,000- and a 10,000-module YAML file, parsed
 * by `IncrementalParser` (only the changed module's block) against a full `parseConfig` of the same
 * text, with the bytes each parses; and the cold first load (a fresh parser, every block) against
 * today's full parse, on the calling thread and through the worker (`parseConfigAsync`).
 * Run: pnpm --filter @cfg/bench bench:incremental [--quick]   (imports the BUILT @cfg/source)
 */
import { type AppConfig, IncrementalParser, parseConfig, parseConfigAsync } from '@cfg/source';
import { dump } from 'js-yaml';
import { isQuick } from './lib/args.js';
import { type Figure, ratio, timing, value } from './lib/figures.js';
import { makeConfig } from './lib/fixtures.js';
import { publish } from './lib/results.js';
import { measure, measureInterleaved, round } from './lib/stats.js';

const quick = isQuick();
// 10,000 modules print to ~2.1 MB of YAML, past the default 1 MiB limit: these rows raise it.
const ctx = { filename: 'bench.yaml', maxDocumentBytes: 8 * 1024 * 1024 };
const EDIT_CASES = quick
  ? [
      { modules: 1_000, fullRuns: 3, editRuns: 30 },
      { modules: 10_000, fullRuns: 1, editRuns: 10 },
    ]
  : [
      { modules: 1_000, fullRuns: 20, editRuns: 300 },
      { modules: 10_000, fullRuns: 5, editRuns: 100 },
    ];
const COLD_CASES = quick
  ? [
      { modules: 100, runs: 10 },
      { modules: 1_000, runs: 3 },
    ]
  : [
      { modules: 100, runs: 100 },
      { modules: 1_000, runs: 20 },
    ];

const figures: Figure[] = [];
const kb = (text: string) => `${round(Buffer.byteLength(text) / 1024, 1)} KB`;

for (const { modules, fullRuns, editRuns } of EDIT_CASES) {
  // Two texts that differ in the middle module's `limits.rps` only: each parse below is one edit.
  const texts = [dump(makeConfig(modules, 100)), dump(makeConfig(modules, 101))] as const;
  const label = `${modules.toLocaleString('en')} modules`;
  const parser = new IncrementalParser(ctx);
  const cold = parser.parse(texts[0]);
  expectSame(cold.config, texts[0]);
  const first = parser.parse(texts[1]);
  expectSame(first.config, texts[1]);
  if (first.mode !== 'blocks' || first.blocksParsed !== 1) throw new Error(`not one block: ${first.mode}`);

  let turn = 0;
  let bytes = 0;
  const edit = measure(
    () => {
      const result = parser.parse(texts[turn++ % 2]!);
      if (result.blocksParsed !== 1) throw new Error('an edit parsed more than one block');
      bytes = result.bytesParsed;
    },
    { runs: editRuns },
  );
  const full = measure(() => parseConfig(texts[1], ctx), { runs: fullRuns, warmup: 1 });
  figures.push(
    timing(`one-module edit, incremental, ${label}`, edit, { note: kb(texts[1]) }),
    timing(`one-module edit, full parse, ${label}`, full, { note: kb(texts[1]) }),
    ratio(
      `full / incremental, ${label}`,
      full.median,
      edit.median,
      'median parseConfig time of the edited text over that of IncrementalParser.parse after the edit',
    ),
    value(
      `bytes parsed per edit, incremental, ${label}`,
      bytes,
      'bytes',
      `of ${Buffer.byteLength(texts[1])}`,
    ),
    value(`blocks reused per edit, ${label}`, first.blocksReused, undefined, `of ${first.blocksReused + 1}`),
  );
}

for (const { modules, runs } of COLD_CASES) {
  const text = dump(makeConfig(modules));
  const label = `${modules.toLocaleString('en')} modules`;
  const check = (config: AppConfig) => {
    if (config.modules.length !== modules) throw new Error('wrong parse result');
  };
  // Interleaved, so that both variants meet the same noise. Async: the worker path as the sources
  // take it (64 KiB and more in a worker); sync: the parse alone, on the calling thread.
  const variants = {
    'parseConfigAsync (today) vs IncrementalParser.parseAsync': {
      today: async () => check(await parseConfigAsync(text, ctx)),
      incremental: async () => check((await new IncrementalParser(ctx).parseAsync(text)).config),
    },
    'parseConfig (today) vs IncrementalParser.parse': {
      today: async () => check(parseConfig(text, ctx)),
      incremental: async () => check(new IncrementalParser(ctx).parse(text).config),
    },
  };
  for (const [compared, pair] of Object.entries(variants)) {
    const [todayName, incrementalName] = compared.split(' vs ') as [string, string];
    const stats = await measureInterleaved(pair, { runs, warmup: 2 });
    figures.push(
      timing(`cold, ${todayName}, ${label}`, stats.today, { note: kb(text) }),
      timing(`cold, ${incrementalName}, ${label}`, stats.incremental, { note: kb(text) }),
      ratio(
        `cold, ${incrementalName} / ${todayName}, ${label}`,
        stats.incremental.median,
        stats.today.median,
        'median first parse of a fresh IncrementalParser (every block) over the parse it replaces, interleaved; target ≤ 1.10',
      ),
    );
  }
}

publish({
  name: 'incremental',
  title: 'Incremental parsing: a one-module edit vs a full parse, and the cold first load',
  about:
    'The bench fixture (makeConfig) printed by js-yaml; the two edited texts differ in the middle module only, and the parser alternates between them, so every parse is a one-module edit. The document limit is raised to 8 MiB for the 10,000-module text (~2.1 MB). Cold rows use a fresh IncrementalParser per run, interleaved with the parse it replaces.',
  quick,
  figures,
});

/** The incremental result must equal a full parse: a bench of a wrong answer measures nothing. */
function expectSame(config: AppConfig, text: string): void {
  if (JSON.stringify(config) !== JSON.stringify(parseConfig(text, ctx))) {
    throw new Error('the incremental result differs from a full parse');
  }
}
