import { readFile } from 'node:fs/promises';
import { type PgConfigStore, VersionConflictError } from '@cfg/pg-store';
import {
  type ConfigDocumentStore,
  type ConfigSnapshot,
  DatabaseSource,
  FileSource,
  type Logger,
} from '@cfg/source';
import { ConfigWatcher, SourcePoller } from '@cfg/watcher';
import type { Runtime } from '../runtime.js';
import { withNudge } from '../sources/nudgeable.js';
import { createOverlaySource, reportSkippedOverlayEntries } from '../sources/overlay-source.js';
import { OverlayDocument, WholeDocument } from '../writers/layouts.js';
import { MemoryWriter } from '../writers/memory-writer.js';
import { StoredWriter } from '../writers/stored-writer.js';
import type { ConfigWriter } from '../writers/types.js';
import type { ServeMode } from './options.js';

/** The first stored version of a new overlay: empty, saying what it is for. */
export const OVERLAY_SEED = `# cfg overlay: API writes (PUT /api/v1/modules/:name/config) land here, on top of the config file.
# Each entry sets the keys the API wrote; they win over the file until cleared. To clear every one,
# roll back to version 1 (POST /api/v1/config/rollback {"version":1}), or push this file again.
modules: []
`;

/** Something that watches and can be stopped. */
export interface Watch {
  stop(): Promise<void> | void;
}

export interface Sources {
  initial: ConfigSnapshot;
  writer: ConfigWriter;
  /** Starts the watchers and pollers that feed `runtime`; resolves once they are running. */
  watch(runtime: Runtime): Promise<Watch[]>;
}

export interface SourceContext {
  store?: PgConfigStore;
  pollIntervalMs: number;
  /** Listen for the store's NOTIFY; when false, database changes are found by polling alone. @defaultValue true */
  notify?: boolean;
  logger: Logger;
}

/** Builds the sources, the first snapshot and the API writer for a mode; seeds stored documents when missing. */
export async function openSources(mode: ServeMode, ctx: SourceContext): Promise<Sources> {
  switch (mode.kind) {
    case 'file':
      return _fileSources(mode, ctx);
    case 'database':
      return _databaseSources(mode, _need(ctx.store), ctx);
    case 'overlay':
      return _overlaySources(mode, _need(ctx.store), ctx);
  }
}

async function _fileSources(
  mode: Extract<ServeMode, { kind: 'file' }>,
  ctx: SourceContext,
): Promise<Sources> {
  const file = new FileSource(mode.config);
  const initial = await file.load();
  return {
    initial,
    writer: new MemoryWriter(),
    watch: async (runtime) => (mode.watch ? [await _watchFile(file, runtime, ctx, initial.hash)] : []),
  };
}

async function _databaseSources(
  mode: Extract<ServeMode, { kind: 'database' }>,
  store: PgConfigStore,
  ctx: SourceContext,
): Promise<Sources> {
  if (mode.seed)
    await _seed(store, mode.key, await readFile(mode.seed, 'utf8'), `seeded from ${mode.seed}`, ctx.logger);
  const source = new DatabaseSource(_documents(store, ctx), { key: mode.key, logger: ctx.logger });
  const initial = await source.load();
  const writer = new StoredWriter({
    mode: 'database',
    store,
    key: mode.key,
    layout: new WholeDocument(source.name),
    source,
  });
  return {
    initial,
    writer,
    watch: async (runtime) => [await _poll(source, runtime, ctx, initial.hash, writer)],
  };
}

async function _overlaySources(
  mode: Extract<ServeMode, { kind: 'overlay' }>,
  store: PgConfigStore,
  ctx: SourceContext,
): Promise<Sources> {
  await _seed(store, mode.overlayKey, OVERLAY_SEED, 'empty overlay', ctx.logger);
  const base = new FileSource(mode.config);
  const overlay = new DatabaseSource(_documents(store, ctx), {
    key: mode.overlayKey,
    overlay: true,
    logger: ctx.logger,
  });
  const source = withNudge(createOverlaySource(base, overlay));
  const initial = await source.load();
  const layout = new OverlayDocument(base, overlay.name);
  const writer = new StoredWriter({ mode: 'overlay', store, key: mode.overlayKey, layout, source });
  return {
    initial,
    writer,
    watch: async (runtime) => {
      reportSkippedOverlayEntries(runtime.reloader, ctx.logger);
      const poller = await _poll(source, runtime, ctx, initial.hash, writer);
      if (!mode.watch) return [poller];
      // A saved file takes the same path as a database change: the poller checks the composite at once.
      const watcher = new ConfigWatcher(
        base,
        () => {
          runtime.sourceRecovered('watcher');
          source.nudge();
        },
        {
          onError: runtime.sourceErrorHandler('watcher', base.name),
          onRecover: () => runtime.sourceRecovered('watcher'),
          logger: ctx.logger,
        },
      );
      await watcher.start();
      runtime.trackSource('watcher', base, () => watcher.lastHash);
      return [watcher, poller];
    },
  };
}

async function _watchFile(
  file: FileSource,
  runtime: Runtime,
  ctx: SourceContext,
  initialHash: string,
): Promise<Watch> {
  const watcher = new ConfigWatcher(file, runtime.changeHandler('watcher'), {
    initialHash,
    onError: runtime.sourceErrorHandler('watcher', file.name),
    onRecover: () => runtime.sourceRecovered('watcher'),
    logger: ctx.logger,
  });
  await watcher.start();
  runtime.trackSource('watcher', file, () => watcher.lastHash);
  return watcher;
}

/** Polls `source` for `runtime`; the writer's own writes are announced to it, so they are not loaded back. */
async function _poll(
  source: DatabaseSource | ReturnType<typeof withNudge>,
  runtime: Runtime,
  ctx: SourceContext,
  initialHash: string,
  writer: StoredWriter,
): Promise<Watch> {
  const poller = new SourcePoller(source, runtime.changeHandler('poller'), {
    intervalMs: ctx.pollIntervalMs,
    initialHash,
    onError: runtime.sourceErrorHandler('poller', source.name),
    onRecover: () => runtime.sourceRecovered('poller'),
    logger: ctx.logger,
  });
  await poller.start();
  runtime.trackSource('poller', source, () => poller.lastHash);
  writer.announceWritesTo((hash) => poller.expect(hash));
  return poller;
}

/** Writes `text` as version 1 of `key` unless the key exists (racing replicas: one wins, the rest see it). */
async function _seed(
  store: PgConfigStore,
  key: string,
  text: string,
  message: string,
  logger: Logger,
): Promise<void> {
  if (await store.getDocument(key)) return;
  try {
    await store.putDocument(key, text, { expectedVersion: 0, actor: 'cfg serve', message });
    logger.info({ key }, `stored document "${key}" created (${message})`);
  } catch (error) {
    if (!(error instanceof VersionConflictError)) throw error;
  }
}

/**
 * What the database sources read. Without `notify`, a view of the store without `subscribe`: the
 * source then offers no push hint, no LISTEN connection is opened, and the poller alone finds changes.
 */
function _documents(store: PgConfigStore, ctx: SourceContext): ConfigDocumentStore {
  if (ctx.notify ?? true) return store;
  return {
    getDocument: (key) => store.getDocument(key),
    getDocumentHash: (key) => store.getDocumentHash(key),
  };
}

function _need(store: PgConfigStore | undefined): PgConfigStore {
  if (!store) throw new Error('this mode needs a database');
  return store;
}
