import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.js';
import { sampleConfig, snapshotOf, withModuleConfig } from '../helpers/configs.js';

describe('GET /healthz and /readyz', () => {
  it('healthz is open and always ok', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('readyz: ready, then degraded (still 200) after a rejected change, then 503 while stopping', async () => {
    const { app, runtime } = await buildTestApp();
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', errors: [] });

    await runtime.handleChange(snapshotOf(withModuleConfig(sampleConfig(), 'limiter', { rps: -1 })));
    const degraded = await app.inject({ method: 'GET', url: '/readyz' });
    expect(degraded.statusCode).toBe(200);
    expect(degraded.json()).toMatchObject({ status: 'degraded', errors: ['CFG_VALIDATION'] });

    runtime.beginShutdown();
    const stopping = await app.inject({ method: 'GET', url: '/readyz' });
    expect(stopping.statusCode).toBe(503);
    expect(stopping.json()).toMatchObject({ status: 'stopping' });
    // Other requests arriving now are told to go elsewhere, in the error table's shape.
    const late = await app.inject({ method: 'GET', url: '/hello' });
    expect(late.statusCode).toBe(503);
    expect(late.json()).toMatchObject({ code: 'CFG_ERR_SHUTTING_DOWN', error: 'Service Unavailable' });
  });

  it('a source error makes readyz degraded until a re-check finds the source back on what was delivered', async () => {
    const { app, runtime } = await buildTestApp();
    let hash = 'good';
    const source = {
      name: 'file:/x.yaml',
      load: () => Promise.reject(new Error('unused')),
      hash: async () => hash,
    };
    runtime.sources.track('watcher', source, () => 'good');
    hash = 'broken';
    runtime.sources.errorHandler(
      'watcher',
      source.name,
    )(Object.assign(new Error('x.yaml:3:1: bad'), { code: 'CFG_PARSE' }));
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({
      status: 'degraded',
      errors: ['CFG_PARSE'],
    });
    hash = 'good';
    // Found by the background re-check (every second), not by the probe itself.
    await expect
      .poll(async () => (await app.inject({ method: 'GET', url: '/readyz' })).json().status, {
        timeout: 5_000,
      })
      .toBe('ready');
  });
});
