import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Tracks the connections that have not started a request yet (a browser's speculative connection,
 * a client that connected and waits). Node's `server.close()` closes idle keep-alive connections,
 * but not these: it counts them as busy until their first request arrives, so one silent client
 * held a graceful shutdown until its deadline and the process exited 1. `close()` destroys them;
 * no request was received on them, so none is lost.
 */
export function trackUnusedConnections(server: Server): { close(): void } {
  const unused = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  server.on('request', (request: { socket: Socket }) => unused.delete(request.socket));
  return {
    close() {
      for (const socket of unused) socket.destroy();
      unused.clear();
    },
  };
}
