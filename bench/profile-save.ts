/**
 * Issue 14's "top self-time before and after": N one-module-edit saves of a 1,000-module YAML file,
 * each followed by FileSource.load, under the V8 CPU profiler (the inspector `Profiler` domain, in
 * this process, sampling every 100 µs), twice: with the default incremental parser (after), and with
 * `parse: parseText` (before: a custom `parse` makes the source parse every text whole, with
 * `yaml`, on the calling thread, as parseConfig does). Prints the top functions by self time of each.
 * Only the saves and loads are profiled; warm-up loads are not.
 * Run: pnpm --filter @cfg/bench bench:profile-save [--quick]   (imports the BUILT @cfg/source)
 * Env: BENCH_SAVES (default 100, 20 with --quick), BENCH_TOP (default 10).
 * Prints only: it writes no results file and is not part of `pnpm bench`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileSource, type FileSourceOptions, parseText } from '@cfg/source';
import { dump } from 'js-yaml';
import { isQuick } from './lib/args.js';
import { makeConfig } from './lib/fixtures.js';
import { summarize } from './lib/stats.js';
import { formatTable } from './lib/table.js';

const quick = isQuick();
const SAVES = Number(process.env.BENCH_SAVES ?? (quick ? 20 : 100));
const TOP = Number(process.env.BENCH_TOP ?? 10);
const WARMUP_SAVES = quick ? 5 : 20;
const MODULES = 1_000;
const SAMPLING_INTERVAL_US = 100;
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The subset of a V8 CPU profile read here. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }[];
  samples?: number[];
  timeDeltas?: number[];
}

interface Variant {
  name: string;
  options: FileSourceOptions;
}
const VARIANTS: Variant[] = [
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
  `${SAVES} one-module-edit saves of a ${MODULES.toLocaleString('en')}-module file (${(Buffer.byteLength(texts[0]) / 1024).toFixed(0)} KB), writeFile + FileSource.load each; load average ${loadavg()[0]?.toFixed(2)}`,
);
for (const variant of VARIANTS) {
  const dir = await mkdtemp(join(tmpdir(), 'cfg-bench-profile-save-'));
  const file = join(dir, 'config.yaml');
  try {
    const source = new FileSource(file, variant.options);
    let turn = 0;
    const save = async () => {
      await writeFile(file, texts[turn++ % 2]!);
      const start = performance.now();
      const snapshot = await source.load();
      const elapsed = performance.now() - start;
      if (snapshot.config.modules.length !== MODULES) throw new Error('wrong parse result');
      return elapsed;
    };
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
      `\n${variant.name}: FileSource.load median ${load.median.toFixed(2)} ms, p99 ${load.p99.toFixed(2)} ms; ${wallMs.toFixed(0)} ms profiled; parses ${after.blocks - before.blocks} by blocks, ${after.full - before.full} whole; ${((after.bytesParsed - before.bytesParsed) / SAVES / 1024).toFixed(1)} KB parsed per save\n`,
    );
    console.log(formatTable(topSelfTime(profile, TOP)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
await session.post('Profiler.disable');
session.disconnect();

/**
 * Self time per function (same name, file and line), the top `count`, in ms and in % of the sampled
 * time that was not idle. A sample's time is the delta to the next sample, as DevTools counts it.
 */
function topSelfTime(profile: CpuProfile, count: number): Record<string, string | number>[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const selfUs = new Map<string, { name: string; at: string; us: number }>();
  let busyUs = 0;
  for (let i = 0; i < samples.length; i++) {
    const frame = byNode.get(samples[i]!);
    const us = deltas[i + 1] ?? 0;
    if (!frame || frame.functionName === '(idle)') continue;
    busyUs += us;
    const at = frame.url
      ? `${shortPath(frame.url)}:${frame.lineNumber + 1}`
      : frame.functionName.startsWith('(')
        ? ''
        : '(native)';
    const key = `${frame.functionName}\0${at}`;
    const entry = selfUs.get(key) ?? { name: frame.functionName || '(anonymous)', at, us: 0 };
    entry.us += us;
    selfUs.set(key, entry);
  }
  return [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, count)
    .map((e) => ({
      function: e.name,
      'file:line': e.at,
      'self ms': Number((e.us / 1000).toFixed(1)),
      '%': Number(((100 * e.us) / busyUs).toFixed(1)),
    }));
}

/** A script URL as a short path: inside a package (`yaml/dist/…`) or relative to the repository. */
function shortPath(url: string): string {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules >= 0) return path.slice(inModules + '/node_modules/'.length);
  return path.startsWith(REPO_ROOT) ? relative(REPO_ROOT, path) : path;
}
