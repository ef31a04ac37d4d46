/**
 * Issue 14's "top self-time before and after": N one-module-edit saves of a 1,000-module YAML file,
 * each followed by FileSource.load, under the V8 CPU profiler (the inspector `Profiler` domain, in
 * this process, sampling every 100 µs), twice: with the default incremental parser (after), and with
 * `parse: parseText` (before: a custom `parse` makes the source parse every text whole, with
 * `yaml`, on the calling thread, as parseConfig does). Prints the top functions by self time of each.
 * Only the saves and loads are profiled; warm-up loads are not.
 * With `--applied`: the same one-module edits of a 10,000-module file (~2.1 MB), but applied as the
 * vs-c12 bench's `cfg-applied` row applies them (ConfigWatcher at debounce 0 + FileSource +
 * ConfigReloader with no-op modules), each timed from `writeFile` resolving to the reloader's
 * `reload` event, incremental parser only: the profile of issue 14's "< 20 ms beyond the debounce".
 * Run: pnpm --filter @cfg/bench bench:profile-save [--quick] [--applied]   (imports the BUILT packages)
 * Env: BENCH_SAVES (default 100, 20 with --quick), BENCH_TOP (default 10).
 * Prints only: it writes no results file and is not part of `pnpm bench`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigReloader, type ReloadResult } from '@cfg/reloader';
import { FileSource, type FileSourceOptions, type ModuleConfig, parseText } from '@cfg/source';
import { ConfigWatcher } from '@cfg/watcher';
import { dump } from 'js-yaml';
import { isQuick } from './lib/args.js';
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
/** Decoded source maps: per generated line, segments [column, source, line], ascending by column. */
const sourceMaps = new Map<string, { sources: string[]; lines: [number, number, number][][] }>();
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
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
      `\n${variant.name}: FileSource.load median ${load.median.toFixed(2)} ms, p99 ${load.p99.toFixed(2)} ms; ${wallMs.toFixed(0)} ms profiled; parses ${after.blocks - before.blocks} by blocks, ${after.full - before.full} whole; ${((after.bytesParsed - before.bytesParsed) / SAVES / 1024).toFixed(1)} KB parsed per save\n`,
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
      ? sourceLocation(frame.url, frame.lineNumber, frame.columnNumber)
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

/**
 * `file:line` (1-based) of a function start: through the `.map` beside a built file of this repository
 * (so `packages/source/src/…`, not a dist chunk), else as the script URL gives it.
 */
function sourceLocation(url: string, line: number, column: number): string {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (!path.includes('/node_modules/') && existsSync(`${path}.map`)) {
    const original = originalPosition(`${path}.map`, line, column);
    if (original) return `${shortPath(original.file)}:${original.line + 1}`;
  }
  return `${shortPath(url)}:${line + 1}`;
}

/** The original position of a 0-based generated line and column, from a version 3 source map. */
function originalPosition(mapFile: string, line: number, column: number) {
  let map = sourceMaps.get(mapFile);
  if (!map) {
    const raw = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; mappings: string };
    const root = dirname(mapFile);
    map = { sources: raw.sources.map((s) => resolve(root, s)), lines: decodeMappings(raw.mappings) };
    sourceMaps.set(mapFile, map);
  }
  let best: [number, number, number] | undefined;
  for (const segment of map.lines[line] ?? []) {
    if (segment[0] > column) break;
    best = segment;
  }
  return best && { file: map.sources[best[1]]!, line: best[2] };
}

/** Source map `mappings` (base64 VLQ) → per generated line, [column, source, original line] segments. */
function decodeMappings(mappings: string): [number, number, number][][] {
  const lines: [number, number, number][][] = [];
  let source = 0;
  let originalLine = 0;
  for (const lineText of mappings.split(';')) {
    const segments: [number, number, number][] = [];
    let column = 0;
    for (const segmentText of lineText.split(',')) {
      if (!segmentText) continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segmentText) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += fields[0] ?? 0;
      if (fields.length < 4) continue;
      source += fields[1]!;
      originalLine += fields[2]!;
      segments.push([column, source, originalLine]);
    }
    lines.push(segments);
  }
  return lines;
}
