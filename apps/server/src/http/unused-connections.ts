import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Keeps a graceful close from waiting on connections that no request will use again:
 * - connections that have not started a request yet (a browser's speculative connection, a client
 *   that connected and waits). Node's `server.close()` closes idle keep-alive connections, but not
 *   these: it counts them as busy until their first request arrives, so one silent client held a
 *   graceful shutdown until its deadline and the process exited 1. `close()` destroys them; no
 *   request was received on them, so none is lost.
 * - connections whose request was still running when the close began (a write waiting on a stalled
 *   database). `server.close()` closes only the connections idle at that moment; this one would
 *   idle in keep-alive after its reply until `keepAliveTimeout` and hold the close past its
 *   deadline. Once its reply is sent, it is ended.
 */
export function trackUnusedConnections(server: Server): { close(): void } {
  const unused = new Set<Socket>();
  let closing = false;
  server.on('connection', (socket: Socket) => {
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    unused.delete(request.socket);
    response.once('finish', () => {
      if (closing) request.socket.end();
    });
  });
  return {
    close() {
      closing = true;
      for (const socket of unused) socket.destroy();
      unused.clear();
    },
  };
}
