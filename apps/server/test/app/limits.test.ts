import type { AddressInfo } from 'node:net';
import type { ReloadResult } from '@cfg/reloader';
import { describe, expect, it } from 'vitest';
import type { BuildOptions } from '../../src/app.js';
import { MAX_RECORD_ISSUES } from '../../src/observability/reload-log.js';
import { ADMIN, buildTestApp, READER } from '../helpers/app.js';
import { snapshotOf } from '../helpers/configs.js';
import { captureLogs } from '../helpers/log-capture.js';
import { okResponses, pollUntil, type RawClient, rawClient, within } from '../helpers/raw-client.js';

/**
 * The HTTP resource limits, on a real listening server (127.0.0.1, random port), with limits small
 * enough for a unit test. Times are checked against generous ceilings only.
 */

async function listening(build: Omit<BuildOptions, 'runtime' | 'auth'>) {
  const logs = captureLogs();
  const test = await buildTestApp({ build: { logger: logs.logger, ...build } });
  await test.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = test.app.server.address() as AddressInfo;
  return { ...test, port, logs };
}

const partialPut = (path: string, token?: string) =>
  `PUT ${path} HTTP/1.1\r\nHost: x\r\n${token ? `Authorization: Bearer ${token}\r\n` : ''}` +
  'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"message":';

describe('request timeouts', () => {
  it.each([
    { what: 'an admin PUT', head: partialPut('/api/v1/modules/greeter/config', ADMIN) },
    { what: 'POST /hello without a token', head: partialPut('/hello').replace('PUT', 'POST') },
  ])('$what whose body never completes gets 408 and is closed in bounded time', async ({ head }) => {
    const { port, logs } = await listening({ requestTimeoutMs: 500 });
    const client = rawClient(port);
    client.socket.write(head);
    const openMs = await within(client.closed, 5_000, 'the connection was not closed');
    expect(openMs).toBeGreaterThanOrEqual(400);
    expect(openMs).toBeLessThan(500 + 1_000 + 1_000); // timeout + Node's check interval + slack
    const status = client.received.slice(0, client.received.indexOf('\r\n'));
    expect(status).toBe('HTTP/1.1 408 Request Timeout');
    expect(JSON.parse(client.received.slice(client.received.indexOf('\r\n\r\n') + 4))).toMatchObject({
      statusCode: 408,
      code: 'CFG_ERR_REQUEST_TIMEOUT',
    });
    expect(logs.lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('a connection that never sends a request is closed after the headers timeout', async () => {
    const { port } = await listening({ requestTimeoutMs: 600 });
    const client = rawClient(port);
    const openMs = await within(client.closed, 5_000, 'the idle connection was not closed');
    expect(openMs).toBeLessThan(600 + 1_000 + 1_000);
  });

  it('a body the client aborts is a client event: logged at debug, no 5xx class, no error line', async () => {
    const { port, logs } = await listening({});
    const client = rawClient(port);
    await client.connected;
    client.socket.write(partialPut('/api/v1/modules/greeter/config', ADMIN));
    // The route is waiting for the body; the client goes away.
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.socket.destroy();
    await logs.waitFor((l) => l.msg === 'request body aborted by the client');
    expect(logs.lines.filter((l) => l.level >= 40)).toEqual([]);
    expect(JSON.stringify(logs.lines)).not.toContain('CFG_ERR_SOURCE_UNAVAILABLE');
  });
});

describe('--max-connections', () => {
  it('past the maximum new connections are refused on arrival; the open ones keep being served', async () => {
    const { port, app, logs, admin } = await listening({ maxConnections: 5 });
    const served = rawClient(port);
    await served.connected;
    const idle = Array.from({ length: 4 }, () => rawClient(port));
    await Promise.all(idle.map((c) => c.connected));
    // Connected before the server counted them: wait until it holds all five.
    await pollUntil(
      async () => (await new Promise<number>((r) => app.server.getConnections((_, n) => r(n)))) >= 5,
      5_000,
      'the server never held 5 connections',
    );

    const refused = Array.from({ length: 3 }, () => rawClient(port));
    for (const client of refused) {
      expect(await within(client.closed, 2_000, 'an extra connection was not refused')).toBeLessThan(2_000);
      expect(client.received).toBe('');
    }

    // A client that was already connected is still served, on the same connection, twice.
    for (const n of [1, 2]) {
      served.socket.write('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n');
      await pollUntil(() => okResponses(served) >= n, 2_000, `request ${n} on the open connection`);
    }
    const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: admin });
    expect(metrics.body).toMatch(/^cfg_http_connections_refused_total 3$/m);
    expect(logs.lines.filter((l) => /connection limit reached \(5 open\)/.test(l.msg))).toHaveLength(1);
    for (const client of [served, ...idle]) client.socket.destroy();
  });
});

/** Opens `GET /api/v1/events` on a raw socket and never reads from it. */
async function nonReadingStream(port: number, lastEventId?: number): Promise<RawClient> {
  const client = rawClient(port);
  client.socket.write(
    `GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${READER}\r\n` +
      `${lastEventId === undefined ? '' : `Last-Event-ID: ${lastEventId}\r\n`}\r\n`,
  );
  await pollUntil(() => client.received.includes('retry: 2000'), 2_000, 'the event stream did not open');
  client.socket.pause();
  return client;
}

/** A reload result carrying about `bytes` of text. */
function bulkyResult(bytes: number): ReloadResult {
  return {
    outcome: 'rejected',
    fromHash: 'a'.repeat(64),
    toHash: 'b'.repeat(64),
    source: 'test',
    modules: [],
    issues: Array.from({ length: Math.ceil(bytes / 900) }, (_, i) => ({
      path: `modules.m${i}`,
      message: 'x'.repeat(900),
    })),
    durationMs: 1,
    at: new Date(),
  };
}

describe('event streams (SSE)', () => {
  it('past --max-sse-clients a new stream gets 503 CFG_ERR_TOO_MANY_STREAMS with Retry-After', async () => {
    const { port, app, reader } = await listening({ maxEventStreams: 2 });
    const open = [await nonReadingStream(port), await nonReadingStream(port)];
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/events`, { headers: reader });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({ code: 'CFG_ERR_TOO_MANY_STREAMS' });
    open[0]!.socket.destroy();
    await open[0]!.closed;
    await within(
      (async () => {
        for (;;) {
          const again = await app.inject({ method: 'GET', url: '/api/v1/reloads', headers: reader });
          expect(again.statusCode).toBe(200);
          const stream = await fetch(`http://127.0.0.1:${port}/api/v1/events`, { headers: reader });
          await stream.body?.cancel();
          if (stream.status === 200) return;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })(),
      2_000,
      'a stream slot did not free up',
    );
    open[1]!.socket.destroy();
  });

  it('a client that does not read is dropped once its unsent bytes pass the bound, and resumes with Last-Event-ID', async () => {
    const { port, runtime, logs, app, admin } = await listening({ eventStreamBufferBytes: 64 * 1024 });
    const stuck = await nonReadingStream(port);
    // The socket buffers (kernel, both ends) take a few MB first; then the server's own buffer grows.
    let added = 0;
    while (!logs.lines.some((l) => l.msg.startsWith('event stream dropped')) && added < 5_000) {
      runtime.reloads.add(bulkyResult(16 * 1024));
      added++;
      if (added % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const dropped = await logs.waitFor((l) => l.msg.startsWith('event stream dropped'));
    expect(dropped.level).toBe(20);
    expect(Number(dropped.unsent)).toBeGreaterThan(64 * 1024);
    const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: admin });
    expect(metrics.body).toMatch(/^cfg_event_streams_dropped_total 1$/m);

    // Back with the last id it saw: the records after it that the ring buffer still has are replayed.
    const newest = runtime.reloads.list()[0]!.id;
    const resumed = rawClient(port);
    resumed.socket.write(
      `GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${READER}\r\nLast-Event-ID: ${newest - 2}\r\n\r\n`,
    );
    await pollUntil(
      () => resumed.received.includes(`id: ${newest}\n`),
      5_000,
      'the resumed stream did not replay',
    );
    expect(resumed.received).toContain(`id: ${newest - 1}\n`);
    expect(resumed.received).not.toContain(`id: ${newest - 2}\n`);
    resumed.socket.destroy();
    stuck.socket.destroy();
  });

  it('records are bounded: the first issues and how many there were, in /reloads and on the stream', async () => {
    const { runtime, app, reader } = await listening({});
    const modules = Array.from({ length: 20_000 }, (_, i) => ({
      name: `g${i}`,
      type: 'greeter',
      config: { message: 'x', [`unknown-${i}`]: 'y'.repeat(2_000) },
    }));
    const result = await runtime.handleChange(snapshotOf({ modules }));
    expect(result.outcome).toBe('rejected');
    expect(result.issues!.length).toBeGreaterThanOrEqual(20_000);

    const [record] = (await app.inject({ method: 'GET', url: '/api/v1/reloads', headers: reader })).json()
      .reloads as { issues: unknown[]; issuesTotal: number }[];
    expect(record!.issues).toHaveLength(MAX_RECORD_ISSUES);
    expect(record!.issuesTotal).toBe(result.issues!.length);
    expect(JSON.stringify(record).length).toBeLessThan(64 * 1024);
    const status = (await app.inject({ method: 'GET', url: '/api/v1/status', headers: reader })).json();
    expect(status.reloader.lastResult.issues).toHaveLength(MAX_RECORD_ISSUES);
  });
});
