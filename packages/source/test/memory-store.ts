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
 * `reconnect()` to simulate a lost channel, and call counters so tests can see what a source asked for.
 */
export class MemoryConfigStore implements ConfigDocumentStore {
  readonly calls = { getDocument: 0, getDocumentHash: 0, history: 0, getVersion: 0 };
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

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  async getDocument(key: string): Promise<StoredDocument | null> {
    this.calls.getDocument++;
    const doc = this.#docs.get(key);
    return doc ? { ...doc } : null;
  }

  async getDocumentHash(key: string): Promise<string | null> {
    this.calls.getDocumentHash++;
    return this.#docs.get(key)?.hash ?? null;
  }

  async history(
    key: string,
    opts: { limit?: number; beforeVersion?: number } = {},
  ): Promise<StoredVersionInfo[]> {
    this.calls.history++;
    const { limit = 50, beforeVersion = Number.POSITIVE_INFINITY } = opts;
    return (this.#versions.get(key) ?? [])
      .filter((v) => v.version < beforeVersion)
      .reverse()
      .slice(0, limit)
      .map(({ key: k, version, hash }) => ({ key: k, version, hash }));
  }

  async getVersion(key: string, version: number): Promise<StoredVersion> {
    this.calls.getVersion++;
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

  #nextVersion(key: string): number {
    return (this.#versions.get(key)?.at(-1)?.version ?? 0) + 1;
  }

  #record(version: StoredVersion): void {
    const versions = this.#versions.get(version.key) ?? [];
    versions.push(version);
    this.#versions.set(version.key, versions);
  }
}
