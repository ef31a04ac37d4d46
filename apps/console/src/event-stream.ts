import type { Api } from './api.js';

export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface EventStreamHandlers {
  onEvent(event: string, data: unknown, id: number | undefined): void;
  onState(state: StreamState): void;
}

/** Longest SSE block accepted; anything longer is dropped (the stream stays usable). */
const MAX_BLOCK = 1024 * 1024;

/**
 * Server-Sent Events over `fetch`, because `EventSource` cannot send an `Authorization` header and
 * the token must not go into the URL. Keeps the last event id and, after the stream drops, reconnects
 * (after the server's `retry:` delay, backing off to 30 s) with `Last-Event-ID`, so the server replays
 * what was missed. `since` starts it after an id already shown.
 */
export function openEventStream(
  api: Api,
  path: string,
  handlers: EventStreamHandlers,
  since?: number,
): { close(): void } {
  let lastId = since;
  let retryMs = 2000;
  let failures = 0;
  let closed = false;
  let controller: AbortController | undefined;
  let timer: number | undefined;

  const connect = async () => {
    if (closed) return;
    handlers.onState(failures === 0 ? 'connecting' : 'reconnecting');
    controller = new AbortController();
    try {
      const response = await fetch(path, {
        headers: api.headers({
          accept: 'text/event-stream',
          ...(lastId === undefined ? {} : { 'last-event-id': String(lastId) }),
        }),
        signal: controller.signal,
        cache: 'no-store',
      });
      if (!response.ok || !response.body) throw new Error(`${path} answered ${response.status}`);
      failures = 0;
      handlers.onState('open');
      await read(response.body);
    } catch {
      // Dropped, refused or aborted: reconnect below unless closed.
    }
    if (closed) return;
    failures++;
    handlers.onState('reconnecting');
    timer = window.setTimeout(connect, Math.min(30_000, retryMs * 2 ** Math.min(failures - 1, 4)));
  };

  const read = async (body: ReadableStream<Uint8Array>) => {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end = buffered.indexOf('\n\n');
      while (end !== -1) {
        block(buffered.slice(0, end));
        buffered = buffered.slice(end + 2);
        end = buffered.indexOf('\n\n');
      }
      if (buffered.length > MAX_BLOCK) buffered = '';
    }
  };

  const block = (text: string) => {
    let event = 'message';
    let data = '';
    let id: number | undefined;
    for (const line of text.split('\n')) {
      if (line.startsWith(':')) continue; // a heartbeat comment
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data += data === '' ? value : `\n${value}`;
      else if (field === 'id' && /^\d+$/.test(value)) id = Number(value);
      else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
    }
    if (id !== undefined) lastId = id;
    if (data === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    handlers.onEvent(event, parsed, id);
  };

  void connect();
  return {
    close() {
      closed = true;
      window.clearTimeout(timer);
      controller?.abort();
      handlers.onState('closed');
    },
  };
}
