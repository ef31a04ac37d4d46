import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.js';
import { sampleConfig, snapshotOf, withModuleConfig } from '../helpers/configs.js';

describe('GET /metrics', () => {
  it('counts reloads by outcome, times them, and shows version, last success and degradation', async () => {
    const { app, reader, runtime } = await buildTestApp({ version: 4 });
    await runtime.handleChange(snapshotOf(sampleConfig({ message: 'two' })));
    await runtime.handleChange(snapshotOf(withModuleConfig(sampleConfig(), 'limiter', { rps: -1 })));
    runtime.sources.errorHandler('poller', 'database:default')(new Error('connection refused'));
    const res = await app.inject({ method: 'GET', url: '/metrics', headers: reader });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('cfg_reloads_total{outcome="partial"} 1');
    expect(res.body).toContain('cfg_reloads_total{outcome="rejected"} 1');
    expect(res.body).toContain('cfg_reload_duration_seconds_count{outcome="partial"} 1');
    expect(res.body).toContain('cfg_source_errors_total{source="poller"} 1');
    expect(res.body).toContain('cfg_source_errors_total{source="watcher"} 0');
    expect(res.body).toContain('cfg_config_degraded 1');
    expect(res.body).toMatch(/cfg_config_last_success_timestamp_seconds \d+/);
  });

  it('each app has its own registry', async () => {
    const one = await buildTestApp();
    const two = await buildTestApp();
    await one.runtime.handleChange(snapshotOf(sampleConfig({ message: 'x' })));
    const body = (await two.app.inject({ method: 'GET', url: '/metrics', headers: two.reader })).body;
    expect(body).not.toContain('cfg_reloads_total{outcome="partial"}');
  });
});
