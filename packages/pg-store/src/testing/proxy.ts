import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './free-port.js';

export interface TcpProxy {
  /** `target` with the proxy's port: nothing answers there until `open()`. */
  url: string;
  open(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP forwarder to a PostgreSQL server that starts closed: a real "server is down" for clients. */
export async function startProxy(target: URL): Promise<TcpProxy> {
  const port = await freePort();
  const url = new URL(target);
  url.port = String(port);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  return {
    url: url.toString(),
    open: () =>
      new Promise((resolve) => {
        server = createServer((client) => {
          const upstream = connect(Number(target.port || 5432), target.hostname);
          for (const socket of [client, upstream]) {
            sockets.add(socket);
            socket.on('error', () => socket.destroy());
            socket.on('close', () => sockets.delete(socket));
          }
          client.pipe(upstream).pipe(client);
          client.on('close', () => upstream.destroy());
          upstream.on('close', () => client.destroy());
        });
        server.listen(port, '127.0.0.1', resolve);
      }),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (server) server.close(() => resolve());
        else resolve();
      }),
  };
}
