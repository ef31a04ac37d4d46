import {
  type ConfigDocumentStore,
  type DocumentChangeNotice,
  hashBytes,
  type StoredDocument,
} from '@cfg/source';

/**
 * An in-memory `ConfigDocumentStore`: versioned writes with push notices (when `push` is on), an
 * outage switch, and the time of every hash read so tests can see the poller's rhythm.
 */
export class MemoryStore implements ConfigDocumentStore {
  /** `performance.now()` of every `getDocumentHash` call, failed ones included. */
  readonly hashReads: number[] = [];
  /** How many `getDocument` calls (loads) were made. */
  documentReads = 0;
  /** While true, every read throws like a refused connection. */
  down = false;
  readonly subscribe?: ConfigDocumentStore['subscribe'];
  private readonly _docs = new Map<string, StoredDocument>();
  private readonly _listeners = new Set<(change: DocumentChangeNotice) => void>();

  constructor(opts: { push?: boolean } = {}) {
    if (opts.push) {
      this.subscribe = async (listener) => {
        this._listeners.add(listener);
        return async () => {
          this._listeners.delete(listener);
        };
      };
    }
  }

  /** Writes `data` under `key` and notifies listeners. */
  put(key: string, data: string): void {
    const hash = hashBytes(data);
    const version = (this._docs.get(key)?.version ?? 0) + 1;
    this._docs.set(key, { key, data, hash, version, updatedAt: new Date() });
    for (const listener of this._listeners) listener({ key, version, hash });
  }

  async getDocument(key: string): Promise<StoredDocument | null> {
    this.documentReads++;
    this._failIfDown();
    return this._docs.get(key) ?? null;
  }

  async getDocumentHash(key: string): Promise<string | null> {
    this.hashReads.push(performance.now());
    this._failIfDown();
    return this._docs.get(key)?.hash ?? null;
  }

  private _failIfDown(): void {
    if (this.down)
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  }
}
