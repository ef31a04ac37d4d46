import { hashBytes } from '../src/hash.js';
import type {
  ConfigDocumentStore,
  DocumentChangeNotice,
  DocumentSubscribeOptions,
  StoredDocument,
} from '../src/types.js';

type Subscriber = { listener: (change: DocumentChangeNotice) => void; opts: DocumentSubscribeOptions };

/**
 * An in-memory `ConfigDocumentStore` for tests: versioned like `@cfg/pg-store` (a write that does not
 * change the bytes keeps the version), with push notices, a `reconnect()` to simulate a lost channel,
 * and call counters so tests can see what a source asked for.
 */
export class MemoryConfigStore implements ConfigDocumentStore {
  readonly calls = { getDocument: 0, getDocumentHash: 0 };
  readonly #docs = new Map<string, StoredDocument>();
  readonly #subscribers = new Set<Subscriber>();

  /** Writes `data` under `key` and notifies subscribers; returns the stored document. */
  put(key: string, data: string, updatedBy?: string): StoredDocument {
    const previous = this.#docs.get(key);
    const hash = hashBytes(data);
    if (previous?.hash === hash) return previous;
    const doc = { key, data, hash, version: (previous?.version ?? 0) + 1, updatedAt: new Date(), updatedBy };
    this.#docs.set(key, doc);
    for (const s of this.#subscribers) s.listener({ key, version: doc.version, hash });
    return doc;
  }

  /** Replaces a stored document as is, e.g. with a `hash` that does not match its `data`. */
  putRaw(doc: StoredDocument): void {
    this.#docs.set(doc.key, doc);
  }

  delete(key: string): void {
    this.#docs.delete(key);
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
}
