import { hashBytes } from '../src/hash.js';
import type {
  ConfigDocumentStore,
  DocumentChangeNotice,
  DocumentSubscribeOptions,
  StoredDocument,
  StoredVersion,
  StoredVersionInfo,
} from '../src/types.js';

type Subscriber = { listener: (change: DocumentChangeNotice) => void; opts: DocumentSubscribeOptions };

/**
 * An in-memory `ConfigDocumentStore` for tests: versioned like `@cfg/pg-store` (a write that does not
 * change the bytes keeps the version; a deletion is a version too), with history, push notices, a
 * `reconnect()` to simulate a lost channel, an outage switch (`down`), and call counters so tests can
 * see what a source asked for, and when.
 */
export class MemoryConfigStore implements ConfigDocumentStore {
  readonly calls = { getDocument: 0, getDocumentHash: 0, history: 0, getVersion: 0 };
  /** `performance.now()` of every `getDocumentHash` call, failed ones included (a poller's rhythm). */
  readonly hashReadTimes: number[] = [];
  /** While true, every read throws as a refused connection does (`code: 'ECONNREFUSED'`). */
  down = false;
  readonly #docs = new Map<string, StoredDocument>();
  /** Every version of every key, oldest first. */
  readonly #versions = new Map<string, StoredVersion[]>();
  readonly #subscribers = new Set<Subscriber>();

  /** Writes `data` under `key` and notifies subscribers; returns the stored document. */
  put(key: string, data: string, updatedBy?: string): StoredDocument {
    const previous = this.#docs.get(key);
    const hash = hashBytes(data);
    if (previous?.hash === hash) return previous;
    const doc = { key, data, hash, version: this.#nextVersion(key), updatedAt: new Date(), updatedBy };
    this.#docs.set(key, doc);
    this.#record({ key, version: doc.version, hash, data });
    for (const s of this.#subscribers) s.listener({ key, version: doc.version, hash });
    return doc;
  }

  /** Replaces a stored document as is, e.g. with a `hash` that does not match its `data` (history too). */
  putRaw(doc: StoredDocument): void {
    this.#docs.set(doc.key, doc);
    this.#record({ key: doc.key, version: doc.version, hash: doc.hash, data: doc.data });
  }

  /** Deletes the live document; history records the deletion as the next version. */
  delete(key: string): void {
    if (!this.#docs.delete(key)) return;
    this.#record({ key, version: this.#nextVersion(key), hash: null, data: null });
  }

  /** Simulates a re-established push channel (notices in between are lost). */
  reconnect(): void {
    for (const s of this.#subscribers) s.opts.onReconnect?.();
  }

  /** This store without its push channel (reads only): what a source sees of a poll-only store. */
  withoutPush(): ConfigDocumentStore {
    return {
      getDocument: (key) => this.getDocument(key),
      getDocumentHash: (key) => this.getDocumentHash(key),
      history: (key, opts) => this.history(key, opts),
      getVersion: (key, version) => this.getVersion(key, version),
    };
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  async getDocument(key: string): Promise<StoredDocument | null> {
    this.calls.getDocument++;
    this.#failIfDown();
    const doc = this.#docs.get(key);
    return doc ? { ...doc } : null;
  }

  async getDocumentHash(key: string): Promise<string | null> {
    this.calls.getDocumentHash++;
    this.hashReadTimes.push(performance.now());
    this.#failIfDown();
    return this.#docs.get(key)?.hash ?? null;
  }

  async history(
    key: string,
    opts: { limit?: number; beforeVersion?: number } = {},
  ): Promise<StoredVersionInfo[]> {
    this.calls.history++;
    this.#failIfDown();
    const { limit = 50, beforeVersion = Number.POSITIVE_INFINITY } = opts;
    return (this.#versions.get(key) ?? [])
      .filter((v) => v.version < beforeVersion)
      .reverse()
      .slice(0, limit)
      .map(({ key: k, version, hash }) => ({ key: k, version, hash }));
  }

  async getVersion(key: string, version: number): Promise<StoredVersion> {
    this.calls.getVersion++;
    this.#failIfDown();
    const found = this.#versions.get(key)?.find((v) => v.version === version);
    if (!found) throw new Error(`version ${version} of "${key}" does not exist`);
    return { ...found };
  }

  async subscribe(
    listener: (change: DocumentChangeNotice) => void,
    opts: DocumentSubscribeOptions = {},
  ): Promise<() => Promise<void>> {
    const subscriber = { listener, opts };
    this.#subscribers.add(subscriber);
    return async () => {
      this.#subscribers.delete(subscriber);
    };
  }

  #failIfDown(): void {
    if (this.down)
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  }

  #nextVersion(key: string): number {
    return (this.#versions.get(key)?.at(-1)?.version ?? 0) + 1;
  }

  #record(version: StoredVersion): void {
    const versions = this.#versions.get(version.key) ?? [];
    versions.push(version);
    this.#versions.set(version.key, versions);
  }
}
