/**
 * diffConfigs on configs of 1,000 / 10,000 / 50,000 modules where exactly one module changed, the
 * shape a reloader sees after a re-parse: equal content everywhere else, but no shared objects.
 * Run: pnpm --filter @cfg/bench bench:diff [--quick]   (imports the BUILT @cfg/diff: build it first)
 */
import { diffConfigs } from '@cfg/diff';
import { isQuick } from './lib/args.js';
import { type Figure, timing, value } from './lib/figures.js';
import { makeConfig } from './lib/fixtures.js';
import { publish } from './lib/results.js';
import { measure } from './lib/stats.js';

const quick = isQuick();
const CASES = quick
  ? [
      { modules: 1_000, runs: 30 },
      { modules: 10_000, runs: 10 },
      { modules: 50_000, runs: 3 },
    ]
  : [
      { modules: 1_000, runs: 300 },
      { modules: 10_000, runs: 100 },
      { modules: 50_000, runs: 40 },
    ];

const figures: Figure[] = [];
for (const { modules, runs } of CASES) {
  const previous = makeConfig(modules);
  const next = makeConfig(modules, 101);
  const stats = measure(
    () => {
      const result = diffConfigs(previous, next);
      if (result.modules.modified.length !== 1 || result.modules.unchanged.length !== modules - 1) {
        throw new Error(`wrong diff for ${modules} modules: ${result.modules.modified.length} modified`);
      }
    },
    { runs },
  );
  figures.push(timing(`diffConfigs, ${modules.toLocaleString('en')} modules`, stats));
  figures.push(
    value(`per module, ${modules.toLocaleString('en')} modules`, (stats.median * 1000) / modules, 'µs'),
  );
}

publish({
  name: 'diff',
  title: 'diffConfigs: one changed module among 1,000 / 10,000 / 50,000',
  about:
    'Both configs are built separately (equal content, no shared objects, as after a re-parse); every result is checked (1 modified, the rest unchanged).',
  quick,
  figures,
});
