/**
 * One contender of bench/vs-c12.ts, alone in its own process (so the GC and JIT of one watcher never
 * run inside another's timings). The parent forks this file with a `ChildSpec` as argv[2], waits for
 * `ready`, then writes the watched file itself; this process only watches and reports each config it
 * is handed as a `delivered` message stamped with `process.hrtime.bigint()`: CLOCK_MONOTONIC on
 * Linux, one clock for every process on the machine, so the parent subtracts its own stamp taken
 * when `writeFile` resolved.
 * Not run directly: `pnpm --filter @cfg/bench bench:vs-c12` forks it.
 */
import { readFile } from 'node:fs/promises';
import { ConfigReloader, type ReloadResult } from '@cfg/reloader';
import type { ModuleConfig } from '@cfg/source';
import { ConfigWatcher } from '@cfg/watcher';
import { watchConfig } from 'c12';
import { watch } from 'chokidar';
import { parse as yamlParse } from 'yaml';
import { TimedFileSource } from './timed-file-source.js';

/**
 * `cfg`: ConfigWatcher + FileSource, defaults (the `yaml` parser, incremental). `cfg-applied`: the
 * same + ConfigReloader + trivial modules, delivered on the reloader's `reload` event. `c12`: c12's
 * watchConfig. `hand-roll`: chokidar 5 + `yaml` parse of the whole file, debounced with setTimeout.
 */
export type Contender = 'cfg' | 'cfg-applied' | 'c12' | 'hand-roll';

export interface ChildSpec {
  contender: Contender;
  /** The directory c12 searches, holding `config.yaml`. */
  dir: string;
  file: string;
  debounceMs: number;
  /** What identifies a save: the top-level `revision`, or `limits.rps` of the module `middle`. */
  key: 'revision' | 'rps';
  middle: string;
  maxDocumentBytes: number;
}

export type ChildMessage =
  | { type: 'ready' }
  | {
      type: 'delivered';
      value: number;
      /** `process.hrtime.bigint()` at delivery, as a decimal string (ns, CLOCK_MONOTONIC). */
      at: string;
      /** @cfg only: ms the FileSource.load of this delivery took (read + hash + parse). */
      loadMs?: number;
    }
  /**
   * c12 and the hand-roll only: a config without the key was handed over, i.e. the read caught the
   * file truncated or half-written by `writeFile` (`yaml` parses '' to null). @cfg's must never.
   */
  | { type: 'torn' }
  | { type: 'error'; message: string };

export type ParentMessage = { type: 'stop' };

/** The number a config carries for `spec.key`, or undefined. */
export function keyOf(config: unknown, spec: Pick<ChildSpec, 'key' | 'middle'>): number | undefined {
  const c = config as { revision?: unknown; modules?: ModuleConfig[] } | null | undefined;
  if (spec.key === 'revision') return typeof c?.revision === 'number' ? c.revision : undefined;
  const module = c?.modules?.find((m) => m.name === spec.middle);
  const rps = (module?.config?.limits as { rps?: unknown } | undefined)?.rps;
  return typeof rps === 'number' ? rps : undefined;
}

type Deliver = (value: number | undefined, loadMs?: number) => void;

async function startCfg(spec: ChildSpec, deliver: Deliver): Promise<() => Promise<void>> {
  const source = new TimedFileSource(spec.file, { maxDocumentBytes: spec.maxDocumentBytes });
  if (spec.contender === 'cfg') {
    const watcher = new ConfigWatcher(
      source,
      (event) => deliver(keyOf(event.snapshot.config, spec), source.lastLoadMs),
      { debounceMs: spec.debounceMs },
    );
    await watcher.start();
    return () => watcher.stop();
  }
  const initial = await source.load();
  const live = new Map<string, ModuleConfig>(initial.config.modules.map((m) => [m.name, m]));
  const reloader = new ConfigReloader({
    initial,
    target: {
      getModule: (name) => ({ reconfigure: (next: ModuleConfig) => void live.set(name, next) }),
      fullReload: async () => fail('unexpected full reload'),
    },
  });
  reloader.on('reload', (result: ReloadResult) => {
    if (result.outcome !== 'partial') return fail(`unexpected ${result.outcome} reload: ${result.reason}`);
    deliver(keyOf({ modules: [live.get(spec.middle)] }, spec), source.lastLoadMs);
  });
  const watcher = new ConfigWatcher(source, (event) => reloader.handleChange(event), {
    debounceMs: spec.debounceMs,
    initialHash: initial.hash,
  });
  await watcher.start();
  return () => watcher.stop();
}

async function startC12(spec: ChildSpec, deliver: Deliver): Promise<() => Promise<void>> {
  const watcher = await watchConfig({
    cwd: spec.dir,
    configFile: 'config',
    debounce: spec.debounceMs,
    onUpdate: ({ newConfig }) => deliver(keyOf(newConfig.config, spec)),
  });
  return () => watcher.unwatch();
}

/** What a user writes by hand: chokidar, a setTimeout debounce, read and parse the whole file. */
async function startHandRoll(spec: ChildSpec, deliver: Deliver): Promise<() => Promise<void>> {
  const watcher = watch(spec.file, { ignoreInitial: true });
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const reload = async () => {
    try {
      deliver(keyOf(yamlParse(await readFile(spec.file, 'utf8')), spec));
    } catch {
      // A half-written file: the write's next event reloads again.
    }
  };
  const onEvent = () => {
    clearTimeout(timer);
    timer = setTimeout(reload, spec.debounceMs);
  };
  watcher.on('change', onEvent).on('add', onEvent);
  return async () => {
    clearTimeout(timer);
    await watcher.close();
  };
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

function fail(message: string): void {
  send({ type: 'error', message });
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as ChildSpec;
  const deliver: Deliver = (value, loadMs) => {
    const at = process.hrtime.bigint().toString();
    if (value === undefined) {
      if (spec.contender === 'c12' || spec.contender === 'hand-roll') return send({ type: 'torn' });
      return fail('a delivered config has no value for the key');
    }
    send({
      type: 'delivered',
      value,
      at,
      ...(loadMs !== undefined && Number.isFinite(loadMs) ? { loadMs } : {}),
    });
  };
  const start = { cfg: startCfg, 'cfg-applied': startCfg, c12: startC12, 'hand-roll': startHandRoll }[
    spec.contender
  ];
  const stop = await start(spec, deliver);
  process.on('message', (message: ParentMessage) => {
    if (message.type !== 'stop') return;
    void stop().finally(() => process.disconnect());
  });
  send({ type: 'ready' });
}

if (process.send) {
  main().catch((error: unknown) => {
    fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
    process.disconnect();
  });
}
