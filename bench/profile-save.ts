import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigReloader, type ReloadResult } from '@cfg/reloader';
import { FileSource, type FileSourceOptions, type ModuleConfig, parseText } from '@cfg/source';
import { ConfigWatcher } from '@cfg/watcher';
import { dump } from 'js-yaml';
import { isQuick } from './lib/args.js';
import { type CpuProfile, topSelfTime } from './lib/cpu-profile.js';
import { makeConfig } from './lib/fixtures.js';
import { summarize } from './lib/stats.js';
import { formatTable } from './lib/table.js';

const quick = isQuick();
const SAVES = Number(process.env.BENCH_SAVES ?? (quick ? 20 : 100));
const TOP = Number(process.env.BENCH_TOP ?? 10);
const WARMUP_SAVES = quick ? 5 : 20;
const applied = process.argv.includes('--applied');
const MODULES = applied ? 10_000 : 1_000;
/** The 10,000-module file is past the 1 MiB default. */
const MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;
const SAMPLING_INTERVAL_US = 100;

interface Variant {
  name: string;
  options: FileSourceOptions;
}
const VARIANTS: Variant[] = applied
  ? [{ name: 'applied: ConfigWatcher (debounce 0) + FileSource + ConfigReloader', options: {} }]
  : [
      { name: 'incremental (default parser)', options: {} },
      { name: 'full parse (parse: parseText)', options: { parse: parseText } },
    ];

// Two texts that differ in the middle module's `limits.rps` only: every save is a one-module edit.
const texts = [dump(makeConfig(MODULES, 100)), dump(makeConfig(MODULES, 101))] as const;

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });

console.log(
  `${SAVES} one-module-edit saves of a ${MODULES.toLocaleString('en')}-module file (${(Buffer.byteLength(texts[0]) / 1024).toFixed(0)} KB), ${applied ? 'writeFile → reload event' : 'writeFile + FileSource.load'} each; load average ${loadavg()[0]?.toFixed(2)}`,
);
for (const variant of VARIANTS) {
  const dir = await mkdtemp(join(tmpdir(), 'cfg-bench-profile-save-'));
  const file = join(dir, 'config.yaml');
  try {
    const source = new FileSource(file, { ...variant.options, maxDocumentBytes: MAX_DOCUMENT_BYTES });
    let turn = 0;
    let save = async () => {
      await writeFile(file, texts[turn++ % 2]!);
      const start = performance.now();
      const snapshot = await source.load();
      const elapsed = performance.now() - start;
      if (snapshot.config.modules.length !== MODULES) throw new Error('wrong parse result');
      return elapsed;
    };
    let stop = async () => {};
    if (applied) ({ save, stop } = await startApplied(file, source, () => texts[turn++ % 2]!));
    for (let i = 0; i < WARMUP_SAVES; i++) await save();
    const before = source.parseStats;
    await session.post('Profiler.start');
    const started = performance.now();
    const loads: number[] = [];
    for (let i = 0; i < SAVES; i++) loads.push(await save());
    const wallMs = performance.now() - started;
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    const after = source.parseStats;
    const load = summarize(loads);
    console.log(
      `\n${variant.name}: ${applied ? 'writeFile → reload event' : 'FileSource.load'} median ${load.median.toFixed(2)} ms, p99 ${load.p99.toFixed(2)} ms; ${wallMs.toFixed(0)} ms profiled; parses ${after.blocks - before.blocks} by blocks, ${after.full - before.full} whole; ${((after.bytesParsed - before.bytesParsed) / SAVES / 1024).toFixed(1)} KB parsed per save\n`,
    );
    console.log(formatTable(topSelfTime(profile, TOP)));
    await stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
await session.post('Profiler.disable');
session.disconnect();

/**
 * `--applied`: ConfigWatcher (debounce 0) + `source` + ConfigReloader with no-op modules, as the
 * vs-c12 bench's `cfg-applied` child. `save` writes the next text and resolves on its partial
 * `reload` event with the ms from `writeFile` resolving.
 */
async function startApplied(file: string, source: FileSource, next: () => string) {
  await writeFile(file, next());
  const initial = await source.load();
  const reloader = new ConfigReloader({
    initial,
    target: {
      getModule: () => ({ reconfigure: (_next: ModuleConfig) => {} }),
      fullReload: async () => {
        throw new Error('unexpected full reload');
      },
    },
  });
  let waiting: ((result: ReloadResult) => void) | undefined;
  reloader.on('reload', (result: ReloadResult) => waiting?.(result));
  const watcher = new ConfigWatcher(source, (event) => reloader.handleChange(event), {
    debounceMs: 0,
    initialHash: initial.hash,
  });
  await watcher.start();
  const save = async () => {
    const done = new Promise<ReloadResult>((resolve) => (waiting = resolve));
    await writeFile(file, next());
    const start = performance.now();
    const result = await done;
    const elapsed = performance.now() - start;
    if (result.outcome !== 'partial')
      throw new Error(`unexpected ${result.outcome} reload: ${result.reason}`);
    await new Promise((resolve) => setTimeout(resolve, 80)); // past the watcher's confirm (60 ms)
    return elapsed;
  };
  return { save, stop: () => watcher.stop() };
}
