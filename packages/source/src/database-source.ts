import { ConfigNotFoundError, ConfigSourceError } from './errors.js';
import { hashBytes } from './hash.js';
import { IncrementalParser, type IncrementalParseStats } from './incremental-parse.js';
import { LastParse } from './last-parse.js';
import type { ConfigParser } from './parse.js';
import type { ReferenceOptions } from './references/options.js';
import { ReferenceStage } from './references/reference-stage.js';
import type {
  AppConfig,
  ConfigDocumentStore,
  ConfigSnapshot,
  ConfigSource,
  DocumentChangeNotice,
  LoadOptions,
  Logger,
  StoredDocument,
  StoredVersionInfo,
} from './types.js';

const NAME = 'database';
/** Versions asked of the store's history per read while walking back. */
const HISTORY_PAGE = 20;
/** How old `hash()`'s read may be for the `load()` after it to take it (see `#takeProbed`). */
const PROBE_REUSE_MS = 250;

/** A source that reads one stored version, and says which. */
export interface VersionSource extends ConfigSource {
  readonly version: number;
}

export interface VersionsOptions {
  /**
   * At most this many versions are handed out.
   * @defaultValue `100`
   */
  limit?: number;
}

export interface DatabaseSourceOptions {
  /**
   * The document key in the store.
   * @defaultValue `'default'`
   */
  key?: string;
  /**
   * How long a parsed snapshot may be reused, in ms. Reuse still asks the store for the document's
   * hash and only happens while it is unchanged, so a cache never hides a change; it only saves
   * reading and parsing an unchanged document. `0` disables the cache.
   * @defaultValue `0`
   */
  cacheTtlMs?: number;
  /**
   * Resolves `${env:…}` and `${file:…}` references after parsing (see "References" in the README).
   * @defaultValue none: `${` is plain text
   */
  references?: ReferenceOptions;
  /**
   * Text → value step, e.g. js-yaml's `load`. Its result still goes through `toAppConfig`.
   * @defaultValue `parseConfig`
   */
  parse?: ConfigParser;
  /**
   * Larger documents are refused (`ConfigParseError`): they were stored by someone with a higher
   * limit, or by hand.
   * @defaultValue `MAX_DOCUMENT_BYTES` (1 MiB)
   */
  maxDocumentBytes?: number;
  /** The document is an overlay layer: its modules may leave out `type` (`ParseContext.overlay`). @defaultValue false */
  overlay?: boolean;
  /** Told when the store's hash does not match its data, or push notifications fail. */
  logger?: Logger;
}

/**
 * A config document in a `ConfigDocumentStore` (e.g. `@cfg/pg-store`). A snapshot's config, hash and
 * version come from one `getDocument` read; `hash()` is the store's cheap `getDocumentHash`. A large
 * document is parsed in a worker thread (`parseConfigAsync`) unless a custom `parse` is given.
 */
export class DatabaseSource implements ConfigSource {
  /** `database:<key>`. */
  readonly name: string;
  readonly key: string;
  /** Present when the store can push; forwards its notices for this key, and a hint on reconnect. */
  readonly subscribe?: (hint: () => void) => () => void;
  readonly #store: ConfigDocumentStore;
  readonly #opts: Required<
    Omit<DatabaseSourceOptions, 'parse' | 'logger' | 'maxDocumentBytes' | 'overlay' | 'references'>
  > &
    Pick<DatabaseSourceOptions, 'parse' | 'logger' | 'maxDocumentBytes' | 'overlay' | 'references'>;
  #cache: { snapshot: ConfigSnapshot; storedAt: number } | undefined;
  /**
   * The newest change the store pushed for this key that no `hash()` used yet and no load reached:
   * the next `hash()` takes its hash instead of asking the store (it was just told).
   */
  #notice: { version: number; hash: string } | undefined;
  /** The version the last load read. */
  #loadedVersion = 0;
  /** Notices (and reconnects) so far: a read taken before the latest one may be behind the store. */
  #notices = 0;
  /**
   * What `hash()` had to load to answer (a text it never parsed, whose references it resolves): the
   * `load()` right after it takes this instead of reading the same version again (see `#takeProbed`).
   */
  #probed: { snapshot: ConfigSnapshot; notices: number; at: number } | undefined;
  readonly #lastParse = new LastParse();
  readonly #parser: IncrementalParser;
  readonly #references: ReferenceStage;

  constructor(store: ConfigDocumentStore, userOpts: DatabaseSourceOptions = {}) {
    this.#opts = { key: 'default', cacheTtlMs: 0, ...userOpts };
    this.#store = store;
    this.key = this.#opts.key;
    this.name = `${NAME}:${this.key}`;
    const { parse, maxDocumentBytes, overlay } = this.#opts;
    this.#parser = new IncrementalParser({ filename: this.name, parse, maxDocumentBytes, overlay });
    this.#references = new ReferenceStage(userOpts.references, this.name);
    if (store.subscribe) this.subscribe = (hint) => this.#subscribe(hint);
  }

  /** What parsing has cost so far: blocks parsed and reused, bytes parsed (`IncrementalParser`). */
  get parseStats(): IncrementalParseStats {
    return this.#parser.stats;
  }

  /**
   * Reads the document once; bytes the last load parsed are not parsed again. With `cacheTtlMs`, a
   * snapshot younger than the TTL is returned again only if the store's current hash still equals
   * its hash. Either way the returned config may be shared with earlier snapshots: treat snapshots
   * as read-only.
   */
  async load(opts: LoadOptions = {}): Promise<ConfigSnapshot> {
    const probed = this.#takeProbed();
    if (probed) return probed;
    const cached = this.#cachedSnapshot();
    if (cached && (await this.hash(opts)) === cached.hash) return cached;
    return this.#loadFresh(opts);
  }

  /** `load()` without the cache (which asks `hash()`, which may need a load). */
  async #loadFresh(opts: LoadOptions): Promise<ConfigSnapshot> {
    opts.signal?.throwIfAborted();
    const doc = await this.#store.getDocument(this.key);
    opts.signal?.throwIfAborted();
    if (!doc) throw this.#notFound();
    this.#loaded(doc.version);
    const hash = this.#hashOf(doc);
    const config = await this.#parse(doc.data, hash, opts);
    const parsed = { config, hash, source: this.name, version: doc.version, loadedAt: new Date() };
    const snapshot = await this.#references.apply(parsed, { ...opts, text: doc.data });
    if (this.#opts.cacheTtlMs > 0) this.#cache = { snapshot, storedAt: performance.now() };
    return snapshot;
  }

  /**
   * One stored version as a source of its own (same `name`), for a caller that must look past the
   * newest one: `load()` reads that version through the store's `getVersion` and parses it (a
   * deletion is a `ConfigNotFoundError`); `hash()` reads it without parsing. Throws
   * `ConfigSourceError` when the store cannot read old versions.
   */
  atVersion(version: number): VersionSource {
    const store = this.#store;
    if (!store.getVersion) {
      throw new ConfigSourceError(`the store behind ${this.name} cannot read old versions (no getVersion)`);
    }
    const read = async (opts: LoadOptions): Promise<{ data: string; hash: string }> => {
      opts.signal?.throwIfAborted();
      const stored = await store.getVersion!(this.key, version);
      opts.signal?.throwIfAborted();
      if (stored.data === null) {
        throw new ConfigNotFoundError(`version ${version} of "${this.key}" is a deletion`, this.key);
      }
      return { data: stored.data, hash: this.#hashOf({ data: stored.data, hash: stored.hash ?? '' }) };
    };
    const references = new ReferenceStage(this.#opts.references, this.name);
    const load = async (opts: LoadOptions = {}) => {
      const { data, hash } = await read(opts);
      const config = await this.#parse(data, hash, opts);
      const parsed = { config, hash, source: this.name, version, loadedAt: new Date() };
      return references.apply(parsed, { ...opts, text: data });
    };
    return {
      name: this.name,
      version,
      load,
      hash: async (opts = {}) => {
        const { data, hash } = await read(opts);
        return references.hash(hash, { ...opts, text: data, load: () => load(opts) });
      },
    };
  }

  /**
   * The stored versions, newest first, each as an `atVersion` source, for walking back from a
   * newest version that cannot be used (`firstUsable`). Stops at a deletion (what came before it
   * belongs to an earlier life of the key) and after `limit`. When the store keeps no history, or
   * has none for the key, or the newest version is a deletion, it hands out this source itself, so
   * that its `load()` reports what is wrong (e.g. `ConfigNotFoundError`).
   */
  async *versions(opts: VersionsOptions = {}): AsyncGenerator<ConfigSource> {
    const limit = opts.limit ?? 100;
    let given = 0;
    if (this.#store.getVersion) {
      for await (const entry of this.#history()) {
        if (entry.hash === null || given >= limit) break;
        given++;
        yield this.atVersion(entry.version);
      }
    }
    if (given === 0) yield this;
  }

  /** The config of `data`: bytes parsed last time are not parsed again, nor unchanged blocks of the next version. */
  async #parse(data: string, hash: string, opts: LoadOptions): Promise<AppConfig> {
    return this.#lastParse.configFor(hash, async () => (await this.#parser.parseAsync(data, opts)).config);
  }

  /**
   * The store's hash of the document, never a cached one; with references, combined with their
   * current values (as `load()` combines them). Right after the store pushed a change of this key
   * (a notice newer than the last load), the notice's hash is used, once, instead of asking the
   * store for what it just said; a later call asks again (so a poll is never answered by an old notice).
   */
  async hash(opts: LoadOptions = {}): Promise<string> {
    opts.signal?.throwIfAborted();
    this.#probed = undefined;
    const notice = this.#takeNotice();
    const hash = notice ? notice.hash : await this.#store.getDocumentHash(this.key);
    opts.signal?.throwIfAborted();
    if (hash === null) throw this.#notFound();
    return this.#references.hash(hash, { ...opts, load: () => this.#probe(opts) });
  }

  /** `hash()`'s load, kept for the `load()` a watcher makes next (a change is then read once, not twice). */
  async #probe(opts: LoadOptions): Promise<ConfigSnapshot> {
    const notices = this.#notices;
    const snapshot = await this.#loadFresh(opts);
    this.#probed = { snapshot, notices, at: performance.now() };
    return snapshot;
  }

  /**
   * The snapshot `hash()` just loaded, once, if the store said nothing since that read began and it
   * is at most `PROBE_REUSE_MS` old: as fresh as the hash the caller compared, which is all a
   * watcher's `hash()` then `load()` asks for. Either way, none is kept after this.
   */
  #takeProbed(): ConfigSnapshot | undefined {
    const probed = this.#probed;
    this.#probed = undefined;
    if (!probed || probed.notices !== this.#notices) return undefined;
    return performance.now() - probed.at <= PROBE_REUSE_MS ? probed.snapshot : undefined;
  }

  /** The pending notice, if it is newer than the last load; either way, none is pending after this. */
  #takeNotice(): { version: number; hash: string } | undefined {
    const notice = this.#notice;
    this.#notice = undefined;
    return notice && notice.version > this.#loadedVersion ? notice : undefined;
  }

  /** A load read `version`: a notice of it or of an older one says nothing new. */
  #loaded(version: number): void {
    this.#loadedVersion = Math.max(this.#loadedVersion, version);
    if (this.#notice && this.#notice.version <= version) this.#notice = undefined;
  }

  /** Remembers the newest notice of a write (a deletion, or a store without hashes, leaves the store to be asked). */
  #noticed(change: DocumentChangeNotice): void {
    this.#notices++;
    if (change.hash === '') {
      this.#notice = undefined;
      return;
    }
    if (change.version > (this.#notice?.version ?? this.#loadedVersion)) {
      this.#notice = { version: change.version, hash: change.hash };
    }
  }

  #cachedSnapshot(): ConfigSnapshot | undefined {
    const cache = this.#cache;
    if (!cache || performance.now() - cache.storedAt >= this.#opts.cacheTtlMs) return undefined;
    return cache.snapshot;
  }

  /**
   * The document's hash, checked against its data: a store whose hash column went stale (a direct
   * SQL update) must not pair new data with an old hash.
   */
  #hashOf(doc: Pick<StoredDocument, 'data' | 'hash'>): string {
    const actual = hashBytes(doc.data);
    if (actual !== doc.hash) {
      this.#opts.logger?.warn(
        { source: this.name, storedHash: doc.hash, actualHash: actual },
        'stored hash does not match the document data; using the hash of the data (fix the writer)',
      );
    }
    return actual;
  }

  /**
   * The store's history of this key, newest first, read a page at a time; nothing when the store
   * keeps none or the first read fails (a key never written, or an unreadable store: the caller's
   * load of the live document then says which).
   */
  async *#history(): AsyncGenerator<StoredVersionInfo> {
    const store = this.#store;
    if (!store.history) return;
    let beforeVersion: number | undefined;
    for (let first = true; ; first = false) {
      let page: StoredVersionInfo[];
      try {
        page = await store.history(this.key, {
          limit: HISTORY_PAGE,
          ...(beforeVersion === undefined ? {} : { beforeVersion }),
        });
      } catch (error) {
        if (first) return;
        throw error;
      }
      yield* page;
      if (page.length < HISTORY_PAGE) return;
      beforeVersion = page.at(-1)!.version;
    }
  }

  #notFound(): ConfigNotFoundError {
    return new ConfigNotFoundError(
      `no config document with key "${this.key}" in the store (write one first, or check the key)`,
      this.key,
    );
  }

  #subscribe(hint: () => void): () => void {
    const { logger } = this.#opts;
    let active = true;
    const listening = this.#store.subscribe!(
      (change) => {
        if (!active || change.key !== this.key) return;
        this.#noticed(change);
        hint();
      },
      {
        // Notices may have been lost while disconnected: ask the caller to check (the store, not a notice).
        onReconnect: () => {
          if (!active) return;
          this.#notices++;
          this.#notice = undefined;
          hint();
        },
        // The store reports its own connection's state (once per outage); this is a trace, per failure.
        onError: (error) =>
          logger?.debug({ source: this.name, err: error.message }, 'store notifications failed'),
      },
    ).catch((error: unknown) => {
      logger?.warn({ source: this.name, err: error }, 'could not subscribe to store notifications');
      return undefined;
    });
    return () => {
      if (!active) return;
      active = false;
      listening
        .then((stop) => stop?.())
        .catch((error: unknown) => {
          logger?.warn({ source: this.name, err: error }, 'could not unsubscribe from store notifications');
        });
    };
  }
}
