import type { ReferenceTarget } from './references/types.js';

/** One module of an application: instantiated from `type`, configured by `config`. */
export interface ModuleConfig {
  name: string;
  type: string;
  config?: Record<string, unknown>;
  /** Names of modules that must be (re)configured before this one. */
  dependsOn?: string[];
}

/**
 * A whole application config. `modules` is the only section with structure known here; every other
 * top-level key (workflows, triggers, pipelines, platform, requires, secrets, …) is an opaque section.
 */
export interface AppConfig {
  modules: ModuleConfig[];
  [section: string]: unknown;
}

/** A config together with the hash of the exact bytes (or canonical form) it was built from. */
export interface ConfigSnapshot<C extends AppConfig = AppConfig> {
  config: C;
  /** SHA-256 hex. Computed from the same read as `config`, never from a second one. */
  hash: string;
  /** The `name` of the source that produced it, e.g. `file:/etc/app/config.yaml`. */
  source: string;
  /** Store version, when the source is versioned (databases). */
  version?: number;
  loadedAt: Date;
  /**
   * What each layer of a composite (`CompositeSource`) was, in order: its source, hash and version,
   * from the very loads this config was merged from. Absent for a snapshot of one source.
   */
  layers?: readonly SnapshotLayer[];
  /**
   * JSON Pointers (from the config's root) of the strings that took a value from a `${…}`
   * reference: what `redactConfig` masks. Absent when there are none.
   */
  secretPaths?: readonly string[];
  /** What this load's references read (each variable and file once, never a value). Absent when none. */
  references?: readonly ReferenceTarget[];
}

/** One layer of a composite snapshot, as its own source loaded it. */
export interface SnapshotLayer {
  /** The layer source's `name`. */
  source: string;
  /** The layer snapshot's `hash`. */
  hash: string;
  /** The layer snapshot's `version`, when it has one. */
  version?: number;
}

export interface LoadOptions {
  signal?: AbortSignal;
}

/** Where a config comes from. Reads are required; push hints are optional. */
export interface ConfigSource<C extends AppConfig = AppConfig> {
  /** Stable, human-readable identity: `file:/abs/path`, `database:default`, `composite(…)`. */
  readonly name: string;
  /** Reads once and returns the config and the hash of that same read. */
  load(opts?: LoadOptions): Promise<ConfigSnapshot<C>>;
  /** Cheap change check; equals `load().hash` for equal content. Never parses. */
  hash(opts?: LoadOptions): Promise<string>;
  /** Optional push hint: "something may have changed, check now". Returns an unsubscribe function. */
  subscribe?(hint: () => void): () => void;
}

export interface ConfigChangeEvent<C extends AppConfig = AppConfig> {
  source: string;
  /** Hash of the last snapshot delivered by this watcher/poller; `null` before the first one. */
  oldHash: string | null;
  newHash: string;
  snapshot: ConfigSnapshot<C>;
  at: Date;
}

/** A versioned document as a store keeps it: the text exactly as written, and its hash. */
export interface StoredDocument {
  key: string;
  /** The document text exactly as written (YAML or JSON). */
  data: string;
  /** SHA-256 hex of `data`'s UTF-8 bytes, as `hashBytes` computes it. */
  hash: string;
  /** 1, 2, 3, … per key; every write that changes bytes adds one. */
  version: number;
  updatedAt: Date;
  updatedBy?: string;
}

/** One stored version of a document without its data, as a store's history lists it. */
export interface StoredVersionInfo {
  key: string;
  version: number;
  /** SHA-256 hex of the version's data; `null` for a deletion. */
  hash: string | null;
}

/** One stored version of a document with its text (`null` for a deletion). */
export interface StoredVersion extends StoredVersionInfo {
  data: string | null;
}

/** A store's notification that a document changed. A hint only: re-read to learn the truth. */
export interface DocumentChangeNotice {
  key: string;
  version: number;
  hash: string;
}

export interface DocumentSubscribeOptions {
  /** Called after the push channel was re-established; notifications may have been lost meanwhile. */
  onReconnect?: () => void;
  onError?: (error: Error) => void;
}

/** What `DatabaseSource` needs from a store. `@cfg/pg-store`'s `PgConfigStore` implements it. */
export interface ConfigDocumentStore {
  getDocument(key: string): Promise<StoredDocument | null>;
  /** The fast path for change checks: the hash alone, without the data. */
  getDocumentHash(key: string): Promise<string | null>;
  /**
   * Optional: versions of `key`, newest first (older than `beforeVersion` when given; at most
   * `limit`). With `getVersion` it lets `DatabaseSource.versions()` walk back from a newest version
   * that cannot be used. May reject for a key that was never written.
   */
  history?(key: string, opts?: { limit?: number; beforeVersion?: number }): Promise<StoredVersionInfo[]>;
  /** Optional: one version of `key` with its text; rejects when that version does not exist. */
  getVersion?(key: string, version: number): Promise<StoredVersion>;
  /**
   * Optional push notifications. Resolves once listening (or once the first attempt failed, while
   * retries go on in the background); the returned function stops listening.
   */
  subscribe?(
    listener: (change: DocumentChangeNotice) => void,
    opts?: DocumentSubscribeOptions,
  ): Promise<() => Promise<void>>;
}

/** Structured log function, compatible with pino's `logger.info(obj, msg)`. */
export type LogFn = (obj: Record<string, unknown>, msg?: string) => void;

/** Optional logger every package accepts. Libraries never write to the console themselves. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}
