/** The phases a `PUT /api/v1/modules/:name/config` reports in its `Server-Timing` header. */
export type WritePhase = 'queue' | 'db' | 'edit' | 'reload';

/**
 * Milliseconds spent per phase of one request, summed over repeats (a retried write reads twice),
 * sent as a `Server-Timing` header (`queue;dur=0.02, db;dur=0.84, edit;dur=0.31, reload;dur=0.12`),
 * so a client or a benchmark can see where a write's time went: waiting for this server's earlier
 * writes, PostgreSQL round trips, editing and checking the document, applying it. Costs two
 * `performance.now()` calls per phase.
 */
export class PhaseTimings {
  readonly #ms = new Map<WritePhase, number>();

  async time<T>(phase: WritePhase, work: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.add(phase, performance.now() - started);
    }
  }

  add(phase: WritePhase, ms: number): void {
    this.#ms.set(phase, (this.#ms.get(phase) ?? 0) + ms);
  }

  /** The `Server-Timing` header value; phases never entered are left out. */
  header(): string {
    return [...this.#ms].map(([phase, ms]) => `${phase};dur=${ms.toFixed(2)}`).join(', ');
  }
}
