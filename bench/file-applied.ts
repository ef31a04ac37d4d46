/**
 * Bench 1, file → applied: from `writeFile` resolving to the module being reconfigured, observed
 * through the reloader's `reload` event, in one process: FileSource → ConfigWatcher →
 * ConfigReloader → a Reconfigurable module. Side by side with c12's `watchConfig` (its `onUpdate`,
 * the nearest thing it has to "applied") on the same files in the same run, and with js-yaml plugged
 * into FileSource's `parse` option (c12 parses YAML with confbox, a js-yaml fork: like for like).
 *
 * Each save rewrites the whole file with a new `limits.rps` in the middle module only (a partial
 * reload of one module), waits until that revision is applied, then pauses GAP_MS — inside
 * chokidar's 50 ms `change` throttle, the case where a save's event is dropped. A save that is never
 * applied is lost; a save not applied within the timeout is also counted as lost at that moment and
 * the bench moves on.
 * Run: pnpm --filter @cfg/bench bench:file-applied [--quick]   (imports the BUILT packages)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigReloader, type ReloadResult } from '@cfg/reloader';
import { type ConfigParser, FileSource, type ModuleConfig } from '@cfg/source';
import { ConfigWatcher } from '@cfg/watcher';
import { watchConfig } from 'c12';
import { dump, load as jsYamlLoad } from 'js-yaml';
import { isQuick } from './lib/args.js';
import { type Figure, ratio, timing, value } from './lib/figures.js';
import { makeConfig } from './lib/fixtures.js';
import { publish } from './lib/results.js';
import { summarize } from './lib/stats.js';

const quick = isQuick();
const SAVES = quick ? 30 : 200;
const WARMUP_SAVES = 5;
const SIZES = quick ? [100] : [10, 100, 1_000];
/** Quick mode keeps the case that tells the contenders apart (lost saves) and drops the 100 ms waits. */
const DEBOUNCES = quick ? [0] : [0, 100];
const GAP_MS = 25;
const CONTENDERS = ['cfg', 'cfg+js-yaml', 'c12'] as const;
type Contender = (typeof CONTENDERS)[number];
/** Stands in the template for the middle module's `limits.rps`; replaced by each save's revision. */
const SENTINEL = 987_654_321;

const jsYaml: ConfigParser = (text) => jsYamlLoad(text);

interface Case {
  contender: Contender;
  modules: number;
  debounceMs: number;
}

interface CaseResult extends Case {
  latencies: number[];
  /** Never applied. */
  lost: number;
  /** Applied, but after the timeout (not in `latencies`). */
  late: number;
}

/** How long a save may take before the bench moves on: generous (a loaded machine), and bounded. */
function timeoutFor(c: Case): number {
  return c.debounceMs + 250 + (c.modules / 1_000) * 600;
}

/** A running watcher that calls `applied(revision)` once a save's revision is live. */
interface Running {
  stop(): Promise<void> | void;
}

const middleName = (modules: number) => `module-${Math.floor(modules / 2)}`;
const rpsOf = (modules: readonly ModuleConfig[], name: string) =>
  (modules.find((m) => m.name === name)?.config?.limits as { rps?: number } | undefined)?.rps;

/** ConfigWatcher → ConfigReloader → a module whose `reconfigure` takes the new config. */
async function startCfg(
  file: string,
  c: Case,
  applied: (revision: number) => void,
  fail: (why: string) => void,
): Promise<Running> {
  const source = new FileSource(file, c.contender === 'cfg+js-yaml' ? { parse: jsYaml } : {});
  const initial = await source.load();
  const live = new Map<string, ModuleConfig>(initial.config.modules.map((m) => [m.name, m]));
  const module = (name: string) => ({
    reconfigure: (next: ModuleConfig) => void live.set(name, next),
  });
  const reloader = new ConfigReloader({
    initial,
    target: { getModule: module, fullReload: async () => fail('unexpected full reload') },
  });
  const middle = middleName(c.modules);
  reloader.on('reload', (result: ReloadResult) => {
    if (result.outcome !== 'partial') return fail(`unexpected ${result.outcome} reload: ${result.reason}`);
    const revision = rpsOf([live.get(middle)!], middle);
    if (typeof revision === 'number') applied(revision);
  });
  const watcher = new ConfigWatcher(source, (event) => reloader.handleChange(event), {
    debounceMs: c.debounceMs,
    initialHash: initial.hash,
  });
  await watcher.start();
  return { stop: () => watcher.stop() };
}

/** c12's watchConfig on the same file; `onUpdate` is where its users apply a change. */
async function startC12(dir: string, c: Case, applied: (revision: number) => void): Promise<Running> {
  const middle = middleName(c.modules);
  const watcher = await watchConfig<{ modules: ModuleConfig[] }>({
    cwd: dir,
    configFile: 'config',
    debounce: c.debounceMs,
    onUpdate: ({ newConfig }) => {
      const revision = rpsOf(newConfig.config.modules, middle);
      if (typeof revision === 'number') applied(revision);
    },
  });
  return { stop: () => watcher.unwatch() };
}

async function runCase(c: Case, template: string): Promise<CaseResult> {
  const dir = await mkdtemp(join(tmpdir(), 'cfg-bench-file-applied-'));
  const file = join(dir, 'config.yaml');
  const save = (revision: number) => writeFile(file, template.replace(String(SENTINEL), String(revision)));
  await save(0);

  const appliedAt = new Map<number, number>();
  let waiting: { revision: number; resolve: (ok: boolean) => void } | undefined;
  let failure: string | undefined;
  const applied = (revision: number) => {
    if (!appliedAt.has(revision)) appliedAt.set(revision, performance.now());
    if (waiting?.revision === revision) waiting.resolve(true);
  };
  const running =
    c.contender === 'c12'
      ? await startC12(dir, c, applied)
      : await startCfg(file, c, applied, (why) => (failure ??= why));
  const timeoutMs = timeoutFor(c);
  const arrival = (revision: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      waiting = {
        revision,
        resolve: (ok) => {
          clearTimeout(timer);
          resolve(ok);
        },
      };
    });

  try {
    // Not measured. c12 has no `ready`: repeat a save until one arrives, then a few more.
    let revision = 0;
    for (let arrived = 0; arrived < WARMUP_SAVES; ) {
      if (++revision > 20 * WARMUP_SAVES) throw new Error(`file-applied ${c.contender}: nothing arrives`);
      const wait = arrival(revision);
      await save(revision);
      if (await wait) arrived++;
    }
    const latencies: number[] = [];
    const first = revision + 1;
    for (let i = 0; i < SAVES; i++) {
      revision++;
      const wait = arrival(revision);
      await save(revision);
      const savedAt = performance.now();
      if (await wait) latencies.push(appliedAt.get(revision)! - savedAt);
      await new Promise((resolve) => setTimeout(resolve, GAP_MS));
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // a late delivery is late, not lost
    let lost = 0;
    for (let r = first; r <= revision; r++) if (!appliedAt.has(r)) lost++;
    if (failure) throw new Error(`file-applied ${c.contender}: ${failure}`);
    return { ...c, latencies, lost, late: SAVES - latencies.length - lost };
  } finally {
    await running.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const figures: Figure[] = [];
const fileSizes: string[] = [];
for (const modules of SIZES) {
  const template = dump(makeConfig(modules, SENTINEL));
  fileSizes.push(`${modules} modules: ${(Buffer.byteLength(template) / 1024).toFixed(0)} KB`);
  if (template.split(String(SENTINEL)).length !== 2) throw new Error('the sentinel must appear exactly once');
  for (const debounceMs of DEBOUNCES) {
    const medians = new Map<Contender, number>();
    const lost = new Map<Contender, number>();
    for (const contender of CONTENDERS) {
      const result = await runCase({ contender, modules, debounceMs }, template);
      const label = `${contender}, ${modules} modules, debounce ${debounceMs} ms`;
      const note = `${result.latencies.length} of ${SAVES} saves applied in time, ${result.late} late, ${result.lost} lost`;
      if (result.latencies.length > 0) {
        const stats = summarize(result.latencies);
        medians.set(contender, stats.median);
        figures.push(timing(`save → applied: ${label}`, stats, { note }));
      }
      lost.set(contender, result.lost);
      figures.push(value(`lost saves: ${label}`, result.lost, `of ${SAVES}`));
      console.error(`${label}: ${note}`);
    }
    const cfg = medians.get('cfg');
    const c12 = medians.get('c12');
    const cfgJsYaml = medians.get('cfg+js-yaml');
    const at = `${modules} modules, debounce ${debounceMs} ms`;
    if (cfg !== undefined && c12 !== undefined)
      figures.push(
        ratio(
          `cfg / c12, ${at}`,
          cfg,
          c12,
          `median save → applied, @cfg over c12 watchConfig (saves lost: @cfg ${lost.get('cfg')}, c12 ${lost.get('c12')} of ${SAVES})`,
        ),
      );
    if (cfg !== undefined && cfgJsYaml !== undefined)
      figures.push(
        ratio(
          `js-yaml parse / default parse, ${at}`,
          cfgJsYaml,
          cfg,
          'median save → applied, FileSource with js-yaml `parse` over the default (`yaml`)',
        ),
      );
  }
}

publish({
  name: 'file-applied',
  title: '1. File → applied: writeFile → module reconfigured, vs c12 watchConfig',
  about: `In one process: FileSource → ConfigWatcher (debounce as shown, other options default) → ConfigReloader → a Reconfigurable module; "applied" is the reloader's \`reload\` event (partial, one module). c12 3.3.4 \`watchConfig\` on the same file, "applied" = its \`onUpdate\`. YAML configs (${fileSizes.join(', ')}); each save rewrites the whole file with a new value in the middle module, is timed from \`writeFile\` resolving, and is followed by a ${GAP_MS} ms pause (inside chokidar's 50 ms change throttle) once applied. ${WARMUP_SAVES} warm-up saves per case are not counted. Lost = a save whose content was never applied; a save not applied within debounce + 250 ms + 0.6 ms per module is late (not in the timings), and the next save follows.`,
  quick,
  figures,
});
