import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.js';
import { sampleConfig, snapshotOf, withModuleConfig } from '../helpers/configs.js';

describe('module paths (open)', () => {
  it('serves /hello, /flags and /welcome from the modules', async () => {
    const { app } = await buildTestApp({ config: sampleConfig({ message: 'hi' }) });
    expect((await app.inject({ method: 'GET', url: '/hello' })).json()).toEqual({ message: 'hi' });
    expect((await app.inject({ method: 'GET', url: '/flags' })).json()).toEqual({
      flags: { 'loud-welcome': false },
    });
    expect((await app.inject({ method: 'GET', url: '/welcome?x=1' })).json()).toEqual({
      message: 'Welcome! hi',
    });
  });

  it('serves a static response as JSON or text, with its status', async () => {
    const config = sampleConfig();
    config.modules.push({
      name: 'teapot',
      type: 'static-response',
      config: { path: '/tea', status: 418, body: 'short and stout' },
    });
    const { app } = await buildTestApp({ config });
    const json = await app.inject({ method: 'GET', url: '/status' });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.json()).toEqual({ ok: true });
    const text = await app.inject({ method: 'GET', url: '/tea' });
    expect(text.statusCode).toBe(418);
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.body).toBe('short and stout');
  });

  it('answers with nosniff, the configured content type, and no content for a 204', async () => {
    const config = sampleConfig();
    config.modules.push(
      {
        name: 'page',
        type: 'static-response',
        config: { path: '/page', body: '<b>hi</b>', contentType: 'text/html; charset=utf-8' },
      },
      { name: 'empty', type: 'static-response', config: { path: '/empty', status: 204 } },
    );
    const { app } = await buildTestApp({ config });
    const page = await app.inject({ method: 'GET', url: '/page' });
    expect(page.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'x-content-type-options': 'nosniff',
    });
    expect(page.body).toBe('<b>hi</b>');
    const empty = await app.inject({ method: 'GET', url: '/empty' });
    expect(empty.statusCode).toBe(204);
    expect(empty.body).toBe('');
    expect(empty.headers['x-content-type-options']).toBe('nosniff');
    expect((await app.inject({ method: 'GET', url: '/hello' })).headers['x-content-type-options']).toBe(
      'nosniff',
    );
  });

  it('404 for anything no module serves, in the error shape', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      statusCode: 404,
      code: 'CFG_ERR_NOT_FOUND',
      error: 'Not Found',
      message: 'nothing is served at GET /nope',
    });
    expect((await app.inject({ method: 'DELETE', url: '/hello' })).json()).toMatchObject({
      code: 'CFG_ERR_NOT_FOUND',
    });
  });

  it('429 with Retry-After once the rate limiter bucket is empty; a reload raises the limit in place', async () => {
    const tight = withModuleConfig(sampleConfig(), 'limiter', { rps: 0.001, burst: 2 });
    const { app, runtime } = await buildTestApp({ config: tight });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await app.inject({ method: 'GET', url: '/hello' })).statusCode);
    expect(codes).toEqual([200, 200, 429]);
    const limited = await app.inject({ method: 'GET', url: '/hello' });
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(limited.json()).toMatchObject({
      statusCode: 429,
      code: 'CFG_ERR_RATE_LIMITED',
      retryAfterSeconds: expect.any(Number),
    });
    expect((await app.inject({ method: 'GET', url: '/flags' })).statusCode).toBe(200); // not covered

    const result = await runtime.handleChange(
      snapshotOf(withModuleConfig(sampleConfig(), 'limiter', { rps: 1000, burst: 5 })),
    );
    expect(result.outcome).toBe('partial');
    // The bucket keeps its (empty) level across the reload and refills at the new rate: 1 token/ms.
    await expect.poll(async () => (await app.inject({ method: 'GET', url: '/hello' })).statusCode).toBe(200);
  });
});
