import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.js';

const connected = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket)).on('error', reject);
  });

describe('closing the app with connections that never sent a request', () => {
  it('app.close() does not wait for them: they are closed (before: held until the client left)', async () => {
    const { app } = await buildTestApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const silent = await connected(port);
    const closedByServer = new Promise<void>((resolve) => silent.once('close', () => resolve()));
    // A connection that did send a request is still served to the end.
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);

    const ceiling = new Promise<string>((resolve) =>
      setTimeout(() => resolve('still waiting'), 3_000).unref(),
    );
    expect(await Promise.race([app.close().then(() => 'closed'), ceiling])).toBe('closed');
    await closedByServer;
  });

  it('a request still running when the close began: its reply is sent, then its connection is ended', async () => {
    const { app } = await buildTestApp();
    let finish: (() => void) | undefined;
    app.get('/slow', () => new Promise((resolve) => (finish = () => resolve({ done: true }))));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const reply = fetch(`http://127.0.0.1:${port}/slow`); // keep-alive, as fetch always is
    await expect.poll(() => finish).toBeDefined();
    const closed = app.close();
    // The server stopped listening: only now does the slow request answer.
    await expect.poll(() => app.server.listening).toBe(false);
    finish!();
    expect(await (await reply).json()).toEqual({ done: true });
    // Left in keep-alive, its connection held the close for keepAliveTimeout (72 s in fastify).
    const ceiling = new Promise<string>((resolve) =>
      setTimeout(() => resolve('still waiting'), 3_000).unref(),
    );
    expect(await Promise.race([closed.then(() => 'closed'), ceiling])).toBe('closed');
  });
});
