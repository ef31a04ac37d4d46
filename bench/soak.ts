/**
 * Bench 5, soak: 10,000 reloads in one process through ConfigReloader, alternating a partial change
 * (one module's config, reconfigured in place) and a full one (a section changed, so the target builds
 * a new module set and drops the old). Modules hold real state: a lookup table built from their
 * config, a 4 KB buffer and a ref'd interval timer they must clear when dropped. Every change goes
 * through JSON text → parseConfig → hashBytes, as from a file. Memory is read after forced GCs, so
 * readings are comparable; the verdict is computed from the numbers, whatever they are.
 * Run: pnpm --filter @cfg/bench bench:soak [--quick]   (node --expose-gc; imports the BUILT packages)
 */
import { ConfigReloader, type Reconfigurable, type ReloadTarget } from '@cfg/reloader';
import {
  type AppConfig,
  type ConfigSnapshot,
  canonicalJson,
  hashBytes,
  type ModuleConfig,
  parseConfig,
} from '@cfg/source';
import { isQuick } from './lib/args.js';
import { type Figure, ratio, timing, value } from './lib/figures.js';
import { publish } from './lib/results.js';
import { summarize } from './lib/stats.js';

const quick = isQuick();
const RELOADS = quick ? 1_000 : 10_000;
const MODULES = 200;
const CHECKPOINTS = 10; // memory is read every RELOADS / CHECKPOINTS reloads
const WARMUP_CHECKPOINT = 1; // the first tenth is warm-up
const FLAT_WITHIN = 0.1;
const MB = 1024 * 1024;

const collect = globalThis.gc;
if (!collect)
  throw new Error('soak: run with node --expose-gc --import tsx soak.ts, so memory readings are comparable');

/** A module with state that a leak would keep alive: a table, a buffer, a timer. */
class SoakModule implements Reconfigurable {
  config: ModuleConfig;
  #table: Map<string, number>;
  readonly #buffer = Buffer.alloc(4 * 1024);
  readonly #timer = setInterval(() => this.#buffer.writeUInt32LE(this.#table.size), 60_000);

  constructor(config: ModuleConfig) {
    this.config = config;
    this.#table = SoakModule.#build(config);
  }

  /** All or nothing: the new table is built before anything changes. */
  reconfigure(next: ModuleConfig): void {
    const table = SoakModule.#build(next);
    this.#table = table;
    this.config = next;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  static #build(config: ModuleConfig): Map<string, number> {
    const routes = (config.config?.routes as string[] | undefined) ?? [];
    return new Map(routes.map((route, i) => [route, i]));
  }
}

/** Builds the new set first, swaps, then stops the old one (the ReloadTarget contract). */
class SoakTarget implements ReloadTarget {
  modules = new Map<string, SoakModule>();

  constructor(config: AppConfig) {
    this.modules = SoakTarget.#build(config);
  }

  getModule(name: string): SoakModule | undefined {
    return this.modules.get(name);
  }

  async fullReload(next: AppConfig): Promise<void> {
    const built = SoakTarget.#build(next);
    const old = this.modules;
    this.modules = built;
    for (const module of old.values()) module.stop();
  }

  stop(): void {
    for (const module of this.modules.values()) module.stop();
    this.modules.clear();
  }

  static #build(config: AppConfig): Map<string, SoakModule> {
    return new Map(config.modules.map((m) => [m.name, new SoakModule(m)]));
  }
}

/** What changes accumulate into: the `platform` revision and each module's config version. */
const state = { revision: 0, versions: new Array<number>(MODULES).fill(0) };

/** Change `i`: even → one module's routes and rps (partial); odd → the `platform` section (full). */
function nextConfig(i: number): AppConfig {
  if (i % 2 === 0) state.versions[(i / 2) % MODULES] = i + 1;
  else state.revision = i;
  return render();
}

function render(): AppConfig {
  return {
    platform: { region: 'eu', revision: state.revision },
    modules: state.versions.map((version, m) => ({
      name: `module-${m}`,
      type: 'worker',
      config: {
        rps: 100 + version,
        routes: Array.from({ length: 20 }, (_, r) => `/m${m}/r${r}/v${version}`),
      },
    })),
  };
}

/** As a file source would: one text, parsed once, hashed from the same bytes. */
function snapshotOf(config: AppConfig): ConfigSnapshot {
  const text = JSON.stringify(config);
  return {
    config: parseConfig(text, { filename: 'soak.json' }),
    hash: hashBytes(text),
    source: 'soak',
    loadedAt: new Date(),
  };
}

interface Reading {
  reloads: number;
  rss: number;
  heapUsed: number;
  external: number;
}

function read(reloads: number): Reading {
  collect!();
  collect!();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { reloads, rss, heapUsed, external };
}

function handles(): { count: number; types: string } {
  const info = process.getActiveResourcesInfo();
  const counts = new Map<string, number>();
  for (const type of info) counts.set(type, (counts.get(type) ?? 0) + 1);
  const types = [...counts].map(([type, n]) => `${type} × ${n}`).join(', ');
  return { count: info.length, types: types || 'none' };
}

const handlesBefore = handles();
const initial = snapshotOf(render());
const target = new SoakTarget(initial.config);
const reloader = new ConfigReloader({ initial, target });
const durations = { partial: [] as number[], full: [] as number[] };
const readings: Reading[] = [read(0)];

for (let i = 0; i < RELOADS; i++) {
  const expected = i % 2 === 0 ? 'partial' : 'full';
  const result = await reloader.handleChange(snapshotOf(nextConfig(i)));
  if (result.outcome !== expected) {
    throw new Error(
      `soak: reload ${i} was ${result.outcome}, expected ${expected} (${result.error ?? result.reason})`,
    );
  }
  durations[expected].push(result.durationMs);
  if ((i + 1) % (RELOADS / CHECKPOINTS) === 0) readings.push(read(i + 1));
}

// The target must run exactly what the reloader says is current.
const running = [...target.modules.values()].map((m) => m.config);
if (canonicalJson(running) !== canonicalJson(reloader.current.config.modules)) {
  throw new Error('soak: the target does not run the current config');
}
const handlesRunning = handles();
target.stop();
const handlesStopped = handles();

const warm = readings[WARMUP_CHECKPOINT]!;
const middle = readings[CHECKPOINTS / 2]!;
const end = readings[readings.length - 1]!;
const afterWarmup = readings.slice(WARMUP_CHECKPOINT);
const drift = (key: 'rss' | 'heapUsed') =>
  Math.max(...afterWarmup.map((r) => Math.abs(r[key] - warm[key]) / warm[key]));
const flat = { rss: drift('rss'), heapUsed: drift('heapUsed') };
const isFlat = flat.rss <= FLAT_WITHIN && flat.heapUsed <= FLAT_WITHIN;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const mb = (bytes: number) => bytes / MB;
const n = (count: number) => count.toLocaleString('en');

const figures: Figure[] = [
  timing('partial reload (1 of 200 modules in place)', summarize(durations.partial)),
  timing('full reload (200 modules rebuilt, old set stopped)', summarize(durations.full)),
  ...(
    [
      ['start', readings[0]!],
      [`after warm-up (${n(warm.reloads)} reloads)`, warm],
      [`middle (${n(middle.reloads)} reloads)`, middle],
      [`end (${n(end.reloads)} reloads)`, end],
    ] as const
  ).flatMap(([when, r]) => [
    value(`RSS, ${when}`, mb(r.rss), 'MB'),
    value(`heap used, ${when}`, mb(r.heapUsed), 'MB', `external ${mb(r.external).toFixed(1)} MB`),
  ]),
  ratio(
    'RSS end / after warm-up',
    end.rss,
    warm.rss,
    'RSS after the last reload over RSS after warm-up (GC forced before each)',
  ),
  ratio(
    'heap used end / after warm-up',
    end.heapUsed,
    warm.heapUsed,
    'V8 heap used after the last reload over that after warm-up (GC forced before each)',
  ),
  value(
    'heap growth per reload after warm-up',
    (end.heapUsed - warm.heapUsed) / (end.reloads - warm.reloads),
    'bytes',
    'heap used at the end minus after warm-up, over the reloads in between',
  ),
  value(
    'readings (heap used MB / RSS MB)',
    readings.map((r) => `${mb(r.heapUsed).toFixed(2)}/${mb(r.rss).toFixed(0)}`).join(', '),
    undefined,
    `every ${n(RELOADS / CHECKPOINTS)} reloads, from start`,
  ),
  value(
    'largest drift after warm-up',
    `RSS ${pct(flat.rss)}, heap ${pct(flat.heapUsed)}`,
    undefined,
    `over ${afterWarmup.length} readings, each relative to the after-warm-up reading`,
  ),
  value(
    `flat within ${pct(FLAT_WITHIN)} after warm-up`,
    isFlat ? 'yes' : 'no',
    undefined,
    'both RSS and heap used, at every reading after warm-up',
  ),
  value('open handles before start', handlesBefore.count, undefined, handlesBefore.types),
  value(
    'open handles at end, target running',
    handlesRunning.count,
    undefined,
    `${handlesRunning.types} (expected: ${MODULES} module timers + the ones before start)`,
  ),
  value('open handles at end, target stopped', handlesStopped.count, undefined, handlesStopped.types),
  value(
    'handles leaked',
    handlesStopped.count - handlesBefore.count,
    undefined,
    'open handles after stopping the target minus those before start (0 = none leaked)',
  ),
];

publish({
  name: 'soak',
  title: `Bench 5, soak: ${n(RELOADS)} reloads in one process, alternating partial and full`,
  about: `${MODULES} modules, each with a route table, a 4 KB buffer and a ref'd timer. Even changes touch one module's config (partial, in place); odd ones change a section (full: new set built, old set stopped). Each change is JSON text → parseConfig → hashBytes. Every outcome is checked, and the target is checked to run exactly the current config at the end. Memory readings follow two forced GCs; warm-up is the first ${100 / CHECKPOINTS} % of reloads.`,
  quick,
  figures,
});
