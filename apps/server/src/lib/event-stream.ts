import type { ServerResponse } from 'node:http';

/**
 * One Server-Sent Events response: `send` writes an event, a comment line goes out every
 * `heartbeatMs` so proxies and clients know the stream is alive, `close` ends it. Writing after the
 * client left is a no-op.
 */
export class EventStream {
  readonly #res: ServerResponse;
  readonly #heartbeat: NodeJS.Timeout;
  #closed = false;

  constructor(res: ServerResponse, heartbeatMs: number) {
    this.#res = res;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // nginx: do not buffer the stream
    });
    res.write(`retry: 2000\n\n`);
    this.#heartbeat = setInterval(
      () => this.#write(`: heartbeat ${new Date().toISOString()}\n\n`),
      heartbeatMs,
    );
    this.#heartbeat.unref();
    res.on('close', () => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(event: string, data: unknown, id?: number): void {
    const head = id === undefined ? '' : `id: ${id}\n`;
    this.#write(`${head}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#res.end();
  }

  #write(chunk: string): void {
    if (!this.#closed && !this.#res.writableEnded) this.#res.write(chunk);
  }
}
