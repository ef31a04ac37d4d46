import { ConfigNotFoundError } from './errors.js';
import { hashBytes } from './hash.js';
import { IncrementalParser, type IncrementalParseStats } from './incremental-parse.js';
import { LastParse } from './last-parse.js';
import type { ConfigParser } from './parse.js';
import type {
  AppConfig,
  ConfigDocumentStore,
  ConfigSnapshot,
  ConfigSource,
  LoadOptions,
  Logger,
  StoredDocument,
} from './types.js';

const NAME = 'database';

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
  readonly #opts: Required<Omit<DatabaseSourceOptions, 'parse' | 'logger' | 'maxDocumentBytes'>> &
    Pick<DatabaseSourceOptions, 'parse' | 'logger' | 'maxDocumentBytes'>;
  #cache: { snapshot: ConfigSnapshot; storedAt: number } | undefined;
  readonly #lastParse = new LastParse();
  readonly #parser: IncrementalParser;

  constructor(store: ConfigDocumentStore, userOpts: DatabaseSourceOptions = {}) {
    this.#opts = { key: 'default', cacheTtlMs: 0, ...userOpts };
    this.#store = store;
    this.key = this.#opts.key;
    this.name = `${NAME}:${this.key}`;
    const { parse, maxDocumentBytes } = this.#opts;
    this.#parser = new IncrementalParser({ filename: this.name, parse, maxDocumentBytes });
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
    const cached = this.#cachedSnapshot();
    if (cached && (await this.hash(opts)) === cached.hash) return cached;
    opts.signal?.throwIfAborted();
    const doc = await this.#store.getDocument(this.key);
    opts.signal?.throwIfAborted();
    if (!doc) throw this.#notFound();
    const hash = this.#hashOf(doc);
    const config = await this.#parse(doc.data, hash, opts);
    const snapshot: ConfigSnapshot = {
      config,
      hash,
      source: this.name,
      version: doc.version,
      loadedAt: new Date(),
    };
    if (this.#opts.cacheTtlMs > 0) this.#cache = { snapshot, storedAt: performance.now() };
    return snapshot;
  }

  /** The config of `data`: bytes parsed last time are not parsed again, nor unchanged blocks of the next version. */
  async #parse(data: string, hash: string, opts: LoadOptions): Promise<AppConfig> {
    return this.#lastParse.configFor(hash, async () => (await this.#parser.parseAsync(data, opts)).config);
  }

  /** The store's hash of the document, never a cached one. */
  async hash(opts: LoadOptions = {}): Promise<string> {
    opts.signal?.throwIfAborted();
    const hash = await this.#store.getDocumentHash(this.key);
    opts.signal?.throwIfAborted();
    if (hash === null) throw this.#notFound();
    return hash;
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
  #hashOf(doc: StoredDocument): string {
    const actual = hashBytes(doc.data);
    if (actual !== doc.hash) {
      this.#opts.logger?.warn(
        { source: this.name, storedHash: doc.hash, actualHash: actual },
        'stored hash does not match the document data; using the hash of the data (fix the writer)',
      );
    }
    return actual;
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
        if (active && change.key === this.key) hint();
      },
      {
        // Notices may have been lost while disconnected: ask the caller to check.
        onReconnect: () => {
          if (active) hint();
        },
        onError: (error) => logger?.warn({ source: this.name, err: error }, 'store notifications failed'),
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
