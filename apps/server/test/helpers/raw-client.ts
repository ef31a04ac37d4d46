import { connect, type Socket } from 'node:net';

export interface RawClient {
  socket: Socket;
  /** Resolves once connected. */
  connected: Promise<void>;
  /** Resolves with the milliseconds the connection stayed open, once it closed. */
  closed: Promise<number>;
  /** Everything received so far. */
  readonly received: string;
}

/** A raw TCP connection to 127.0.0.1:`port` that keeps what it receives (for hostile-client tests). */
export function rawClient(port: number): RawClient {
  const started = performance.now();
  let received = '';
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined); // a reset once the server closes: 'close' follows
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => resolve(performance.now() - started)),
  );
  return {
    socket,
    connected,
    closed,
    get received() {
      return received;
    },
  };
}

/** Rejects when `promise` takes longer than `ms`: a hang fails the test instead of stalling it. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Resolves once `check()` holds, polled every 5 ms; rejects after `ms` (`what` says what never happened). */
export function pollUntil(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  return within(
    (async () => {
      while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 5));
    })(),
    ms,
    what,
  );
}

/** How many `200 OK` responses a raw client has received. */
export const okResponses = (client: RawClient): number => client.received.split('HTTP/1.1 200 OK').length - 1;
