import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.js';
import { sampleConfig, snapshotOf, withModuleConfig } from '../helpers/configs.js';

describe('GET /api/v1/config and /status', () => {
  it('returns the applied config with hash, source and an ETag for If-Match', async () => {
    const { app, reader, runtime } = await buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/api/v1/config', headers: reader });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ mode: 'file', source: 'test', hash: runtime.reloader.current.hash });
    expect(body.config).toEqual(sampleConfig());
    expect(res.headers.etag).toBe(`"${runtime.reloader.current.hash}"`);
  });

  it('status carries the reloader status and the rejection details', async () => {
    const { app, reader, runtime } = await buildTestApp();
    await runtime.handleChange(snapshotOf(withModuleConfig(sampleConfig(), 'limiter', { rps: -1 })));
    const body = (await app.inject({ method: 'GET', url: '/api/v1/status', headers: reader })).json();
    expect(body).toMatchObject({
      mode: 'file',
      ready: true,
      degraded: true,
      reloader: { lastError: { code: 'CFG_VALIDATION', message: expect.stringContaining('rps') } },
    });
  });
});

describe('history, versions and rollback without a store', () => {
  it('409 CFG_ERR_NOT_PERSISTENT, saying how to get a store', async () => {
    const { app, reader, admin } = await buildTestApp();
    for (const [method, url, headers] of [
      ['GET', '/api/v1/config/history', reader],
      ['GET', '/api/v1/config/versions/1', reader],
      ['POST', '/api/v1/config/rollback', admin],
    ] as const) {
      const res = await app.inject({
        method,
        url,
        headers,
        ...(method === 'POST' ? { payload: { version: 1 } } : {}),
      });
      expect(res.statusCode, url).toBe(409);
      expect(res.json()).toMatchObject({
        code: 'CFG_ERR_NOT_PERSISTENT',
        message: expect.stringContaining('--database-url'),
      });
    }
  });

  it('400 for a malformed version or rollback body', async () => {
    const { app, reader, admin } = await buildTestApp();
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/config/versions/abc', headers: reader })).statusCode,
    ).toBe(400);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/config/history?limit=0', headers: reader }))
        .statusCode,
    ).toBe(400);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/config/rollback',
      headers: admin,
      payload: { version: 0 },
    });
    expect(res.statusCode).toBe(400);
  });
});
