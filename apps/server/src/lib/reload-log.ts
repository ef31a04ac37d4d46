import type { ReloadResult } from '@cfg/reloader';

/** A reload result with its place in this process's sequence (the SSE event id). */
export interface ReloadRecord extends ReloadResult {
  id: number;
}

/**
 * The last `capacity` reload results (a ring buffer) and a fan-out to live subscribers (SSE).
 * A subscriber that throws is dropped from that delivery only; it never breaks the others.
 */
export class ReloadLog {
  readonly capacity: number;
  readonly #records: ReloadRecord[] = [];
  readonly #subscribers = new Set<(record: ReloadRecord) => void>();
  #nextId = 1;

  /** @param capacity how many results to keep @defaultValue 100 */
  constructor(capacity = 100) {
    this.capacity = capacity;
  }

  add(result: ReloadResult): ReloadRecord {
    const record: ReloadRecord = { ...result, id: this.#nextId++ };
    this.#records.push(record);
    if (this.#records.length > this.capacity) this.#records.shift();
    for (const subscriber of this.#subscribers) {
      try {
        subscriber(record);
      } catch {
        // A broken stream must not stop the reload path or the other streams.
      }
    }
    return record;
  }

  /** Newest first. */
  list(): ReloadRecord[] {
    return [...this.#records].reverse();
  }

  /** Records after `id`, oldest first (to replay after an SSE reconnect with `Last-Event-ID`). */
  since(id: number): ReloadRecord[] {
    return this.#records.filter((r) => r.id > id);
  }

  subscribe(subscriber: (record: ReloadRecord) => void): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }
}
