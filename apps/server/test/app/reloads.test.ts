import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.js';
import { sampleConfig, snapshotOf } from '../helpers/configs.js';

describe('GET /api/v1/reloads', () => {
  it('keeps the last 100 results, newest first', async () => {
    const { app, reader, runtime } = await buildTestApp();
    for (let i = 1; i <= 105; i++) await runtime.handleChange(snapshotOf(sampleConfig({ message: `m${i}` })));
    const reloads = (await app.inject({ method: 'GET', url: '/api/v1/reloads', headers: reader })).json()
      .reloads;
    expect(reloads).toHaveLength(100);
    expect(reloads[0]).toMatchObject({ id: 105, outcome: 'partial', modules: [{ name: 'greeter' }] });
    expect(reloads[99].id).toBe(6);
  });

  it('leaves out a change delivered twice (same hash as current)', async () => {
    const { app, reader, runtime } = await buildTestApp();
    const next = snapshotOf(sampleConfig({ message: 'once' }));
    await runtime.handleChange(next);
    await runtime.handleChange(next);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/reloads', headers: reader })).json().reloads,
    ).toHaveLength(1);
  });
});

describe('GET /api/v1/events (SSE)', () => {
  it('streams reload results with ids, sends heartbeats, replays after Last-Event-ID, and closes with the app', async () => {
    const { app, runtime, reader } = await buildTestApp({ sseHeartbeatMs: 20 });
    await runtime.handleChange(snapshotOf(sampleConfig({ message: 'before' })));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;

    let text = '';
    const waitFor = (pattern: RegExp) =>
      new Promise<void>((resolve) => {
        const check = () => (pattern.test(text) ? resolve() : setTimeout(check, 5));
        check();
      });
    const ended = new Promise<number>((resolve) => {
      const req = request(
        { port, host: '127.0.0.1', path: '/api/v1/events', headers: { ...reader, 'last-event-id': '0' } },
        (res) => {
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.end();
    });
    await waitFor(/id: 1\nevent: reload\n/); // replayed
    await runtime.handleChange(snapshotOf(sampleConfig({ message: 'live' })));
    await waitFor(/id: 2\nevent: reload\ndata: \{[^\n]*"outcome":"partial"/);
    await waitFor(/: heartbeat /);
    await app.close();
    expect(await ended).toBe(200);
  });

  it('401 without a token', async () => {
    const { app } = await buildTestApp();
    expect((await app.inject({ method: 'GET', url: '/api/v1/events' })).statusCode).toBe(401);
  });

  it('HEAD is not served (a stream that never ends has no head to give)', async () => {
    const { app, reader } = await buildTestApp();
    const res = await app.inject({ method: 'HEAD', url: '/api/v1/events', headers: reader });
    expect(res.statusCode).toBe(404);
  });
});
