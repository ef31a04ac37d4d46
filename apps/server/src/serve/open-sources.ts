import type { PgConfigStore } from '@cfg/pg-store';
import {
  type ConfigCheck,
  type ConfigSnapshot,
  type ConfigSource,
  DatabaseSource,
  FileSource,
  type Logger,
  type ReferenceOptions,
  type SnapshotFile,
} from '@cfg/source';
import { type ChangeHandler, ConfigWatcher, SourcePoller } from '@cfg/watcher';
import type { Runtime, StartupFallback } from '../runtime.js';
import { watchSecretDirs } from '../secrets/secret-dirs-watch.js';
import { overlayOnBase, reportSkippedOverlayEntries } from '../sources/overlay-merge.js';
import { OverlayDocument, WholeDocument } from '../writers/document-layout.js';
import { MemoryWriter } from '../writers/memory-writer.js';
import { StoredWriter } from '../writers/stored-writer.js';
import type { ConfigWriter } from '../writers/types.js';
import { LastGood } from './last-good.js';
import type { ServeMode } from './options.js';
import { OVERLAY_SEED, seedDocument } from './seed.js';
import { chooseInitial } from './startup.js';
import { storedDocuments } from './stored-documents.js';

/** Something that watches and can be stopped. */
export interface Watch {
  stop(): Promise<void> | void;
}

export interface Sources {
  initial: ConfigSnapshot;
  /** Set when `initial` is not the newest stored version (see `chooseInitial`). */
  startup?: StartupFallback;
  writer: ConfigWriter;
  /** Starts the watchers and pollers that feed `runtime`; resolves once they are running. */
  watch(runtime: Runtime): Promise<Watch[]>;
}

export interface SourceContext {
  store?: PgConfigStore;
  pollIntervalMs: number;
  /** Listen for the store's NOTIFY; when false, database changes are found by polling alone. @defaultValue true */
  notify?: boolean;
  /** The one size limit of every config input: file, stored document, seed, API write. @defaultValue `MAX_DOCUMENT_BYTES` */
  maxDocumentBytes?: number;
  /**
   * The engine's validation: start-up walks past stored versions it refuses, and checks the seed.
   * @defaultValue none: parsing is enough
   */
  check?: ConfigCheck;
  /**
   * How `${env:…}` and `${file:…}` references resolve, the same for every input: the file, stored
   * documents, the local snapshot, the seed and API writes. @defaultValue none: `${` is plain text
   */
  references?: ReferenceOptions;
  /** The local last-known-good snapshot of a stored document; absent: none is kept or used. */
  snapshotFor?: (key: string) => SnapshotFile;
  /** The database already failed at start (e.g. while migrating): start from the local snapshot. */
  storeError?: unknown;
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
  const { maxDocumentBytes, references } = ctx;
  // The watcher uses this instance too: after this load it knows which files the references read.
  const file = new FileSource(mode.config, { maxDocumentBytes, references });
  const initial = await file.load();
  return {
    initial,
    writer: new MemoryWriter({ maxDocumentBytes, references }),
    watch: async (runtime) =>
      mode.watch
        ? [await _watchFile(file, runtime, ctx, runtime.changeHandler('watcher'), initial.hash)]
        : [],
  };
}

async function _databaseSources(
  mode: Extract<ServeMode, { kind: 'database' }>,
  store: PgConfigStore,
  ctx: SourceContext,
): Promise<Sources> {
  const { maxDocumentBytes } = ctx;
  const { key, seed } = mode;
  const snapshots = ctx.snapshotFor?.(key);
  const lastGood = snapshots && _lastGood(store, key, snapshots, ctx);
  const { references } = ctx;
  const source = new DatabaseSource(storedDocuments(store, key, ctx, lastGood), {
    key,
    logger: ctx.logger,
    maxDocumentBytes,
    references,
  });
  const { initial, startup } = await chooseInitial({
    key,
    ...(ctx.check ? { check: ctx.check } : {}),
    ...(seed ? { prepare: () => seedDocument(store, key, { file: seed }, ctx) } : {}),
    candidates: () => source.versions(),
    documentName: source.name,
    fromSnapshot: (document) => document,
    ..._snapshotPlan(snapshots, ctx),
  });
  if (startup?.from === 'snapshot') lastGood?.alreadySaved(initial.version);
  const writer = new StoredWriter({
    mode: 'database',
    store,
    key,
    layout: new WholeDocument(source.name, { maxDocumentBytes, references }),
    source,
    maxDocumentBytes,
    ...(lastGood ? { onStored: (version, text) => lastGood.remember(version, text) } : {}),
  });
  return {
    initial,
    ...(startup ? { startup } : {}),
    writer,
    watch: async (runtime) => {
      const poller = await _poll(source, runtime, ctx, initial.hash);
      return [...(lastGood ? [lastGood.follow(runtime.reloader)] : []), poller, ..._secretDirs(poller, ctx)];
    },
  };
}

async function _overlaySources(
  mode: Extract<ServeMode, { kind: 'overlay' }>,
  store: PgConfigStore,
  ctx: SourceContext,
): Promise<Sources> {
  const { maxDocumentBytes } = ctx;
  const key = mode.overlayKey;
  const snapshots = ctx.snapshotFor?.(key);
  const lastGood = snapshots && _lastGood(store, key, snapshots, ctx);
  const { references } = ctx;
  const base = new FileSource(mode.config, { maxDocumentBytes, references });
  const overlay = new DatabaseSource(storedDocuments(store, key, ctx, lastGood), {
    key,
    logger: ctx.logger,
    maxDocumentBytes,
    overlay: true,
    references,
  });
  const source = overlayOnBase(base, overlay);
  // The snapshot holds the overlay document: the base is a local file anyway, read as it is now.
  const { initial, startup } = await chooseInitial({
    key,
    ...(ctx.check ? { check: ctx.check } : {}),
    prepare: () => seedDocument(store, key, { text: OVERLAY_SEED }, ctx),
    candidates: () => _overBase(base, overlay.versions()),
    documentName: overlay.name,
    fromSnapshot: (document) => overlayOnBase(base, document),
    overlay: true,
    ..._snapshotPlan(snapshots, ctx),
  });
  if (startup?.from === 'snapshot') lastGood?.alreadySaved(initial.version);
  const layout = new OverlayDocument(base, overlay.name, { maxDocumentBytes, references });
  const writer = new StoredWriter({
    mode: 'overlay',
    store,
    key,
    layout,
    source,
    maxDocumentBytes,
    ...(lastGood ? { onStored: (version, text) => lastGood.remember(version, text) } : {}),
  });
  return {
    initial,
    ...(startup ? { startup } : {}),
    writer,
    watch: async (runtime) => {
      reportSkippedOverlayEntries(runtime.reloader, ctx.logger);
      const saving = lastGood ? [lastGood.follow(runtime.reloader)] : [];
      const poller = await _poll(source, runtime, ctx, initial.hash);
      // The overlay's own references (and, without --watch, the file's) are seen through the poller.
      const secrets = _secretDirs(poller, ctx);
      if (!mode.watch) return [...saving, poller, ...secrets];
      // A saved file takes the same path as a database change: the poller checks the composite at once.
      const watcher = await _watchFile(base, runtime, ctx, () => {
        runtime.sources.recovered('watcher');
        poller.nudge();
      });
      return [...saving, watcher, poller, ...secrets];
    },
  };
}

/** Watches `file` for `runtime`; its changes go to `onChange`. */
async function _watchFile(
  file: FileSource,
  runtime: Runtime,
  ctx: SourceContext,
  onChange: ChangeHandler,
  initialHash?: string,
): Promise<Watch> {
  const watcher = new ConfigWatcher(file, onChange, {
    ...(initialHash === undefined ? {} : { initialHash }),
    ...runtime.sources.hooks('watcher', file.name),
    logger: ctx.logger,
  });
  await watcher.start();
  runtime.sources.track('watcher', file, () => watcher.lastHash);
  return watcher;
}

/** Polls `source` for `runtime` (the writer's own writes come back too: the reloader applies each once). */
async function _poll(
  source: ConfigSource,
  runtime: Runtime,
  ctx: SourceContext,
  initialHash: string,
): Promise<SourcePoller> {
  const poller = new SourcePoller(source, runtime.changeHandler('poller'), {
    intervalMs: ctx.pollIntervalMs,
    initialHash,
    ...runtime.sources.hooks('poller', source.name),
    logger: ctx.logger,
  });
  await poller.start();
  runtime.sources.track('poller', source, () => poller.lastHash);
  return poller;
}

/** The keeper of `key`'s local snapshot. */
function _lastGood(store: PgConfigStore, key: string, file: SnapshotFile, ctx: SourceContext): LastGood {
  return new LastGood({
    file,
    key,
    read: async (version) => (await store.getVersion(key, version)).data ?? undefined,
    logger: ctx.logger,
  });
}

/** The snapshot part of a start-up plan. */
function _snapshotPlan(snapshots: SnapshotFile | undefined, ctx: SourceContext) {
  return {
    ...(snapshots ? { snapshots } : {}),
    ...(ctx.storeError === undefined ? {} : { storeError: ctx.storeError }),
    ...(ctx.maxDocumentBytes === undefined ? {} : { maxDocumentBytes: ctx.maxDocumentBytes }),
    ...(ctx.references ? { references: ctx.references } : {}),
  };
}

/** The `--secret-dir` watch that nudges `poller`, when there are secret directories. */
function _secretDirs(poller: SourcePoller, ctx: SourceContext): Watch[] {
  const dirs = ctx.references?.fileDirs ?? [];
  if (dirs.length === 0) return [];
  return [watchSecretDirs(dirs, () => poller.nudge(), ctx.logger)];
}

/** Each stored overlay version merged over the base file, still saying which version it is. */
async function* _overBase(
  base: ConfigSource,
  versions: AsyncIterable<ConfigSource>,
): AsyncGenerator<ConfigSource & { version?: number }> {
  for await (const layer of versions) {
    const version = (layer as { version?: number }).version;
    const merged = overlayOnBase(base, layer);
    yield {
      name: merged.name,
      load: (opts) => merged.load(opts),
      hash: (opts) => merged.hash(opts),
      ...(version === undefined ? {} : { version }),
    };
  }
}

function _need(store: PgConfigStore | undefined): PgConfigStore {
  if (!store) throw new Error('this mode needs a database');
  return store;
}
