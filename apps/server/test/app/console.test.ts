import { describe, expect, it } from 'vitest';
import { loadConsoleAssets } from '../../src/console/assets.js';
import { CONSOLE_CSP } from '../../src/console/routes.js';
import { buildTestApp } from '../helpers/app.js';
import { sampleConfig } from '../helpers/configs.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('the web console', () => {
  it('is built (apps/console/dist), so the server has it to serve', () => {
    const assets = loadConsoleAssets();
    expect(assets, 'run `pnpm build` (turbo builds @cfg/console before the server)').toBeDefined();
    expect([...assets!.files.keys()].sort()).toEqual([
      expect.stringMatching(/^console-[A-Z0-9]+\.js$/),
      expect.stringMatching(/^style-[A-Z0-9]+\.css$/),
    ]);
  });

  it('GET / answers a browser with the console page, under a strict CSP; scripts still get JSON', async () => {
    const { app } = await buildTestApp();
    const page = await app.inject({ method: 'GET', url: '/', headers: { accept: BROWSER_ACCEPT } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers.vary).toMatch(/Accept/);
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');
    // No inline script or style: every script and style sheet is a file of the console's own.
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.body).not.toMatch(/<style|style=/);
    expect(page.body).toMatch(
      /<script type="module" src="\/console\/assets\/console-[A-Z0-9]+\.js"><\/script>/,
    );

    for (const accept of [undefined, '*/*', 'application/json', 'text/html;q=0']) {
      const res = await app.inject({ method: 'GET', url: '/', headers: accept ? { accept } : {} });
      expect(res.headers['content-type'], String(accept)).toMatch(/^application\/json/);
    }
  });

  it('serves the bundle with its content type, cached for a year, and 304 for a known ETag', async () => {
    const { app } = await buildTestApp();
    const page = await app.inject({ method: 'GET', url: '/console/' });
    const [script, style] = [...page.body.matchAll(/\/console\/assets\/[^"]+/g)].map((m) => m[0]).sort();
    const js = await app.inject({ method: 'GET', url: script! });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await app.inject({ method: 'GET', url: style! });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const again = await app.inject({
      method: 'GET',
      url: script!,
      headers: { 'if-none-match': js.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect((await app.inject({ method: 'GET', url: '/console/assets/nope-1234.js' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/console/assets/..%2Fpackage.json' })).statusCode).toBe(
      400,
    );
    const redirect = await app.inject({ method: 'GET', url: '/console' });
    expect(redirect.statusCode).toBe(301);
    expect(redirect.headers.location).toBe('/console/');
  });

  it('a module serving / takes / over; the console stays at /console/, which no module may claim', async () => {
    const config = sampleConfig();
    config.modules.push({ name: 'home', type: 'static-response', config: { path: '/', body: 'home page' } });
    const { app, runtime } = await buildTestApp({ config });
    expect((await app.inject({ method: 'GET', url: '/', headers: { accept: BROWSER_ACCEPT } })).body).toBe(
      'home page',
    );
    expect((await app.inject({ method: 'GET', url: '/console/' })).headers['content-type']).toBe(
      'text/html; charset=utf-8',
    );
    const claim = sampleConfig();
    claim.modules.push({
      name: 'squat',
      type: 'static-response',
      config: { path: '/console/x', body: 'mine' },
    });
    expect(runtime.validate(claim)).toEqual([
      expect.objectContaining({
        path: 'modules.squat.config.path',
        message: expect.stringMatching(/\/console/),
      }),
    ]);
  });

  it('without a built console, GET / stays JSON for everyone', async () => {
    const { app } = await buildTestApp({ console: false });
    const res = await app.inject({ method: 'GET', url: '/', headers: { accept: BROWSER_ACCEPT } });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect((await app.inject({ method: 'GET', url: '/console/' })).statusCode).toBe(404);
  });
});
