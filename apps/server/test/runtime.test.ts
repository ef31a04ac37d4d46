import { describe, expect, it, vi } from 'vitest';
import { greeterType } from '../src/engine/modules/greeter.js';
import { Runtime } from '../src/runtime.js';
import { buildTestApp } from './helpers/app.js';
import { sampleConfig, snapshotOf } from './helpers/configs.js';
import { captureLogs } from './helpers/log-capture.js';

const stored = (message: string, version: number) => ({
  ...snapshotOf(sampleConfig({ message }), 'database:default'),
  version,
});

describe('Runtime.handleChange: stored versions apply in order', () => {
  it('a version older than one already handed over is superseded, recorded, and never applied', async () => {
    const { app, runtime, reader } = await buildTestApp({ version: 1 });
    expect((await runtime.handleChange(stored('v3', 3))).outcome).toBe('partial');
    // The API's own snapshot of version 2 arriving after the poller's load of version 3.
    const late = await runtime.handleChange(stored('v2', 2));
    expect(late).toMatchObject({ outcome: 'superseded', version: 2, supersededBy: stored('v3', 3).hash });
    expect(runtime.reloader.current.version).toBe(3);
    expect((await app.inject({ method: 'GET', url: '/hello' })).json()).toEqual({ message: 'v3' });
    const reloads = (await app.inject({ method: 'GET', url: '/api/v1/reloads', headers: reader })).json()
      .reloads;
    expect(reloads.map((r: { outcome: string; version: number }) => [r.outcome, r.version])).toEqual([
      ['superseded', 2],
      ['partial', 3],
    ]);
  });

  it('also while both wait behind a running reload: the older one never overtakes the newer', async () => {
    const { runtime } = await buildTestApp({ version: 1 });
    const running = runtime.handleChange(stored('v2', 2));
    const newer = runtime.handleChange(stored('v4', 4));
    const older = runtime.handleChange(stored('v3', 3));
    await Promise.all([running, newer, older]);
    expect((await older).outcome).toBe('superseded');
    expect(runtime.reloader.current.version).toBe(4);
  });

  it('the same version again (a file change under the same overlay version) still applies', async () => {
    const { runtime } = await buildTestApp({ version: 1 });
    await runtime.handleChange(stored('a', 2));
    expect((await runtime.handleChange(stored('b', 2))).outcome).toBe('partial');
    expect(runtime.reloader.current.config.modules[0]?.config).toEqual({ message: 'b' });
  });
});

describe('Runtime.close', () => {
  it('lets a change in flight finish before it stops the modules (shutdown during a full reload)', async () => {
    const runtime = await Runtime.create({ initial: snapshotOf(sampleConfig()) });
    const change = runtime.handleChange(snapshotOf(sampleConfig({ body: { ok: false } })));
    await runtime.close();
    expect(await change).toMatchObject({ outcome: 'full' });
  });
});

describe('Runtime.validate', () => {
  it('checks an API write once: before it is stored, not again when the same config is applied', async () => {
    const { app, runtime, admin } = await buildTestApp();
    // The check's cost is the schema parse of the changed module (the rest is a walk over names).
    const checks = vi.spyOn(greeterType.configSchema, 'safeParse');
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/modules/greeter/config',
      headers: admin,
      payload: { message: 'checked once' },
    });
    expect(res.json()).toMatchObject({ result: { outcome: 'partial' } });
    expect(checks).toHaveBeenCalledTimes(1);
    // Any other config object is checked, even with the same content.
    const config = runtime.reloader.current.config;
    expect(runtime.validate(structuredClone(config))).toEqual([]);
    expect(checks).toHaveBeenCalledTimes(2);
    checks.mockRestore();
  });
});

describe('Runtime source errors: once per outage', () => {
  it('a failure repeated on every retry is one WARN, the rest DEBUG, and its end one INFO', async () => {
    const logs = captureLogs();
    const runtime = await Runtime.create({ initial: snapshotOf(sampleConfig()), logger: logs.logger });
    const onError = runtime.sources.errorHandler('poller', 'database:default');
    const refused = () =>
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:54399'), { code: 'ECONNREFUSED' });
    onError(
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    );
    for (let i = 0; i < 20; i++) onError(refused());
    expect((await runtime.status()).sourceErrors).toMatchObject([{ code: 'ECONNREFUSED' }]);
    runtime.sources.recovered('poller');
    runtime.sources.recovered('poller'); // nothing more to say
    expect(logs.lines.filter((l) => l.level >= 30).map((l) => [l.level, l.msg])).toEqual([
      [
        40,
        'poller error: terminating connection due to administrator command; still serving the last good config',
      ],
      [30, expect.stringMatching(/^poller: database:default is readable again \(after \d+\.\d s\)$/)],
    ]);
    expect(logs.lines.filter((l) => l.level === 20)).toHaveLength(20);
    expect((await runtime.status()).sourceErrors).toEqual([]);

    // A bad content is news each time (the watcher already reports each content once).
    const onFileError = runtime.sources.errorHandler('watcher', 'file:/x.yaml');
    onFileError(Object.assign(new Error('x.yaml:1:1: bad'), { code: 'CFG_PARSE' }));
    onFileError(Object.assign(new Error('x.yaml:2:1: worse'), { code: 'CFG_PARSE' }));
    expect(logs.lines.filter((l) => l.level === 40)).toHaveLength(3);
    await runtime.close();
  });
});
