/**
 * Reading V8 CPU profiles (the inspector `Profiler` domain, or `node --cpu-prof` files): self time per
 * function, located through the source maps beside the built packages.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Decoded source maps: per generated line, segments [column, source, line], ascending by column. */
const sourceMaps = new Map<string, { sources: string[]; lines: [number, number, number][][] }>();
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The subset of a V8 CPU profile read here. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }[];
  samples?: number[];
  timeDeltas?: number[];
}

/**
 * Self time per function (same name, file and line), the top `count`, in ms and in % of the sampled
 * time that was not idle. A sample's time is the delta to the next sample, as DevTools counts it.
 */
export function topSelfTime(profile: CpuProfile, count: number): Record<string, string | number>[] {
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
