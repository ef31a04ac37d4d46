import { describe, expect, it } from 'vitest';
import { ENDPOINTS } from '../../src/routes/index.js';
import { buildTestApp } from '../helpers/app.js';
import { sampleConfig } from '../helpers/configs.js';

describe('GET /', () => {
  it('answers anyone with a JSON index of the endpoints and the module paths', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.vary).toMatch(/Accept/);
    const index = res.json() as { service: string; endpoints: { path: string }[]; modulePaths: string[] };
    expect(index.service).toBe('cfg');
    expect(index.endpoints.map((e) => e.path)).toContain('/api/v1/modules/:name/config');
    expect(index.modulePaths).toEqual(['/flags', '/hello', '/status', '/welcome']);
  });

  it('lists only endpoints that exist', async () => {
    const { app } = await buildTestApp();
    for (const { method, path } of ENDPOINTS) {
      expect(app.hasRoute({ method: method as 'GET', url: path }), `${method} ${path}`).toBe(true);
    }
  });

  it('gives way to a module configured to serve /', async () => {
    const config = sampleConfig();
    config.modules.push({ name: 'home', type: 'static-response', config: { path: '/', body: 'home page' } });
    const { app } = await buildTestApp({ config });
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('home page');
  });
});
