import type { ReloadResult } from '@cfg/reloader';

/** A reload result as `GET /api/v1/events` sends it, with when this process received it. */
export interface ReceivedReload extends Omit<ReloadResult, 'at'> {
  id: number;
  at: string;
  /** `performance.now()` in this process when the event was parsed. */
  receivedAt: number;
}

/**
 * A client of a server's `GET /api/v1/events` stream (Server-Sent Events): keeps every `reload`
 * event in arrival order and wakes waiters as they come. No vitest here: the benches use it too.
 */
export class ReloadEvents {
  readonly received: ReceivedReload[] = [];
  readonly #abort = new AbortController();
  readonly #waiters = new Set<() => void>();
  #ended = false;

  private constructor() {}

  /** Opens the stream and resolves once the server answered 200 (from then on nothing is missed). */
  static async open(baseUrl: string, token: string): Promise<ReloadEvents> {
    const events = new ReloadEvents();
    const res = await fetch(`${baseUrl}/api/v1/events`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: events.#abort.signal,
    });
    if (res.status !== 200 || !res.body) throw new Error(`GET /api/v1/events answered ${res.status}`);
    void events.#read(res.body);
    return events;
  }

  /** Resolves with the first event (already received or still to come, from index `from`) that matches. */
  waitFor(match: (e: ReceivedReload) => boolean, timeoutMs = 10_000, from = 0): Promise<ReceivedReload> {
    return new Promise((resolve, reject) => {
      const test = () => {
        const found = this.received.slice(from).find(match);
        if (found) {
          clearTimeout(timer);
          this.#waiters.delete(test);
          resolve(found);
        } else if (this.#ended) {
          clearTimeout(timer);
          this.#waiters.delete(test);
          reject(new Error('the event stream ended before a matching reload arrived'));
        }
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(test);
        reject(
          new Error(
            `no matching reload event within ${timeoutMs} ms; last: ${JSON.stringify(this.received.at(-1))}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(test);
      test();
    });
  }

  close(): void {
    this.#abort.abort();
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of body) {
        buffered += decoder.decode(chunk, { stream: true });
        let end = buffered.indexOf('\n\n');
        while (end !== -1) {
          this.#parse(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
          end = buffered.indexOf('\n\n');
        }
      }
    } catch {
      // Aborted by close(), or the server went away: the stream simply ends.
    } finally {
      this.#ended = true;
      this.#wake();
    }
  }

  /** One SSE block: `event: reload` + `data: {...}` lines; comments (heartbeats) and `retry:` are skipped. */
  #parse(block: string): void {
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (event !== 'reload' || data === '') return;
    this.received.push({
      ...(JSON.parse(data) as Omit<ReceivedReload, 'receivedAt'>),
      receivedAt: performance.now(),
    });
    this.#wake();
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
