import { canonicalJson, MAX_NESTING } from '@cfg/source';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InPlaceModule } from '../../src/engine/in-place-module.js';
import { BUILTIN_MODULE_TYPES, ModuleRegistry } from '../../src/engine/registry.js';
import type { ModuleType } from '../../src/engine/types.js';
import { MemoryWriter } from '../../src/writers/memory-writer.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { sampleConfig } from '../helpers/configs.js';

const json = { 'content-type': 'application/json' };

/** PUTs `payload`, as raw text, as the greeter's config. */
const putGreeter = (app: TestApp['app'], admin: TestApp['admin'], payload: string) =>
  app.inject({
    method: 'PUT',
    url: '/api/v1/modules/greeter/config',
    headers: { ...admin, ...json },
    payload,
  });

describe('GET /api/v1/modules', () => {
  it('lists modules with their type, reconfigurability, dependencies and config', async () => {
    const { app, reader } = await buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/api/v1/modules', headers: reader });
    expect(res.statusCode).toBe(200);
    const modules = res.json().modules as { name: string; reconfigurable: boolean }[];
    expect(modules.map((m) => m.name)).toEqual(['greeter', 'limiter', 'flags', 'status', 'welcome']);
    expect(modules.find((m) => m.name === 'status')?.reconfigurable).toBe(false);
  });

  it('says when each module last changed: null as started, then the reload that changed it', async () => {
    const { app, reader, admin } = await buildTestApp();
    const before = await app.inject({ method: 'GET', url: '/api/v1/modules/greeter', headers: reader });
    expect(before.json().lastChange).toBeNull();
    await app.inject({
      method: 'PUT',
      url: '/api/v1/modules/greeter/config',
      headers: admin,
      payload: { message: 'x' },
    });
    await app.inject({
      method: 'PUT',
      url: '/api/v1/modules/limiter/config',
      headers: admin,
      payload: { rps: -1 },
    });
    const { modules } = (
      await app.inject({ method: 'GET', url: '/api/v1/modules', headers: reader })
    ).json() as {
      modules: { name: string; lastChange: unknown }[];
    };
    const last = Object.fromEntries(modules.map((m) => [m.name, m.lastChange]));
    expect(last.greeter).toMatchObject({
      outcome: 'partial',
      status: 'reconfigured',
      reload: 1,
      at: expect.any(String),
    });
    // The rejected change to the limiter changed nothing.
    expect(last.limiter).toBeNull();
  });

  it('one module by name; 404 unknown; 400 for a name that breaks the key rule', async () => {
    const { app, reader } = await buildTestApp();
    const one = await app.inject({ method: 'GET', url: '/api/v1/modules/welcome', headers: reader });
    expect(one.json()).toMatchObject({ name: 'welcome', type: 'welcome', dependsOn: ['greeter', 'flags'] });
    const missing = await app.inject({ method: 'GET', url: '/api/v1/modules/ghost', headers: reader });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'CFG_ERR_MODULE_NOT_FOUND' });
    const bad = await app.inject({ method: 'GET', url: '/api/v1/modules/a%20b', headers: reader });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      code: 'CFG_ERR_BAD_REQUEST',
      message: expect.stringContaining('params/name'),
    });
  });
});

describe('PUT /api/v1/modules/:name/config (file mode)', () => {
  it('200: applies in place (partial), not persisted, and /hello answers the new message', async () => {
    const { app, admin } = await buildTestApp();
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/modules/greeter/config',
      headers: admin,
      payload: { message: 'new' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      persisted: false,
      result: { outcome: 'partial', modules: [{ name: 'greeter', status: 'reconfigured' }] },
    });
    expect((await app.inject({ method: 'GET', url: '/hello' })).json()).toEqual({ message: 'new' });
  });

  it('200: a static-response change is a full reload', async () => {
    const { app, admin } = await buildTestApp();
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/modules/status/config',
      headers: admin,
      payload: { path: '/status', body: { ok: 'rebuilt' } },
    });
    expect(res.json()).toMatchObject({ result: { outcome: 'full' } });
    expect((await app.inject({ method: 'GET', url: '/status' })).json()).toEqual({ ok: 'rebuilt' });
  });

  it('422 with every issue for rps -1; nothing changes', async () => {
    const { app, admin, runtime } = await buildTestApp();
    const before = runtime.reloader.current.hash;
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/modules/limiter/config',
      headers: admin,
      payload: { rps: -1, burst: 0 },
    });
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body).toMatchObject({
      statusCode: 422,
      code: 'CFG_ERR_INVALID_CONFIG',
      error: 'Unprocessable Entity',
    });
    expect(body.issues.map((i: { path: string }) => i.path)).toEqual([
      'modules.limiter.config.rps',
      'modules.limiter.config.burst',
    ]);
    expect(runtime.reloader.current.hash).toBe(before);
  });

  it('400 for broken JSON, an empty body and bodies that are not objects', async () => {
    const { app, admin } = await buildTestApp();
    const put = (payload: string) => putGreeter(app, admin, payload);
    for (const payload of ['{', '', '[]', '"text"', 'null', '3']) {
      const res = await put(payload);
      expect(res.statusCode, payload).toBe(400);
      expect(res.json().code, payload).toMatch(/^CFG_ERR_(INVALID_JSON|BAD_REQUEST)$/);
    }
    expect((await put('{')).json()).toMatchObject({ code: 'CFG_ERR_INVALID_JSON', error: 'Bad Request' });
  });

  it('404 for an unknown module, before anything else happens', async () => {
    const { app, admin } = await buildTestApp();
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/modules/ghost/config',
      headers: admin,
      payload: {},
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({
      code: 'CFG_ERR_MODULE_NOT_FOUND',
      message: expect.stringContaining('"ghost"'),
    });
  });

  it('413 for a body over 1 MiB', async () => {
    const { app, admin } = await buildTestApp();
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/modules/greeter/config',
      headers: { ...admin, ...json },
      payload: JSON.stringify({ message: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      statusCode: 413,
      code: 'CFG_ERR_BODY_TOO_LARGE',
      error: 'Payload Too Large',
      message: 'the body is larger than 1048576 bytes',
    });
  });

  it('415 for anything but JSON', async () => {
    const { app, admin } = await buildTestApp();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/yaml']) {
      const res = await app.inject({
        method: 'PUT',
        url: '/api/v1/modules/greeter/config',
        headers: { ...admin, 'content-type': type },
        payload: 'message=hi',
      });
      expect(res.statusCode, type).toBe(415);
      expect(res.json()).toMatchObject({
        code: 'CFG_ERR_UNSUPPORTED_MEDIA_TYPE',
        message: expect.stringContaining(type),
      });
    }
  });

  it('412 when If-Match is not the current hash (file mode has no versions)', async () => {
    const { app, admin, runtime } = await buildTestApp();
    const stale = await app.inject({
      method: 'PUT',
      url: '/api/v1/modules/greeter/config',
      headers: { ...admin, 'if-match': 'not-the-hash' },
      payload: { message: 'x' },
    });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({
      code: 'CFG_ERR_VERSION_CONFLICT',
      currentHash: runtime.reloader.current.hash,
    });
    const fresh = await app.inject({
      method: 'PUT',
      url: '/api/v1/modules/greeter/config',
      headers: { ...admin, 'if-match': runtime.reloader.current.hash },
      payload: { message: 'x' },
    });
    expect(fresh.statusCode).toBe(200);
  });

  it('a __proto__ key is refused (400) and pollutes nothing', async () => {
    const { app, admin } = await buildTestApp();
    for (const payload of [
      '{"__proto__":{"polluted":true}}',
      '{"message":"x","constructor":{"prototype":{"polluted":true}}}',
    ]) {
      const res = await app.inject({
        method: 'PUT',
        url: '/api/v1/modules/flags/config',
        headers: { ...admin, ...json },
        payload,
      });
      expect(res.statusCode).toBe(400);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await app.inject({ method: 'GET', url: '/flags' })).json()).toEqual({
      flags: { 'loud-welcome': false },
    });
  });

  it(`400 for a body nested past the document's limit (${MAX_NESTING} levels, 3 above a module's config); the deepest allowed reaches validation`, async () => {
    const { app, admin } = await buildTestApp();
    const levels = MAX_NESTING - 3; // the top level, `modules`, the module
    /** `levels` objects, one inside the other. */
    const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const put = (payload: string) => putGreeter(app, admin, payload);
    for (const body of [levels + 1, 5_000]) {
      const res = await put(`{"message":"deep","x":${nested(body - 1)}}`);
      expect(res.json()).toMatchObject({
        statusCode: 400,
        code: 'CFG_ERR_BAD_REQUEST',
        message: expect.stringMatching(/^config\.x(\.a)+: nesting deeper than 61 levels; flatten it$/),
      });
    }
    const deepest = await put(`{"message":"deep","x":${nested(levels - 1)}}`);
    expect(deepest.json()).toMatchObject({ statusCode: 422, code: 'CFG_ERR_INVALID_CONFIG' }); // greeter has no "x"
    expect((await app.inject({ method: 'GET', url: '/hello' })).json()).toEqual({ message: 'hello' });
  });

  it('400 for numbers a replica would read back differently: 1e400 (Infinity), integers beyond 2^53', async () => {
    const { app, admin } = await buildTestApp();
    const put = (payload: string) => putGreeter(app, admin, payload);
    expect((await put('{"message":"m","ratio":1e400}')).json()).toMatchObject({
      statusCode: 400,
      message: 'config.ratio: Infinity is not a finite number; JSON has no infinities or NaN',
    });
    expect((await put('{"message":"m","ids":[12345678901234567890]}')).json()).toMatchObject({
      statusCode: 400,
      message:
        'config.ids.0: the integer 12345678901234567000 is beyond ±2^53 and has lost digits; send it as a string',
    });
    expect((await app.inject({ method: 'GET', url: '/hello' })).json()).toEqual({ message: 'hello' });
  });

  it('413 when the config would pass the size limit (as canonical JSON); the config is unchanged', async () => {
    const limit = Buffer.byteLength(canonicalJson(sampleConfig())) + 100;
    const { app, admin } = await buildTestApp({ writer: new MemoryWriter({ maxDocumentBytes: limit }) });
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/modules/greeter/config',
      headers: { ...admin, ...json },
      payload: { message: 'x'.repeat(200) },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({
      code: 'CFG_ERR_DOCUMENT_TOO_LARGE',
      message: expect.stringContaining(`over the limit of ${limit.toLocaleString('en')} bytes`),
    });
    expect((await app.inject({ method: 'GET', url: '/hello' })).json()).toEqual({ message: 'hello' });
  });

  it('never answers 500 to bad input', async () => {
    const { app, admin } = await buildTestApp({ config: sampleConfig() });
    const payloads = [
      '{"message":{}}',
      '{"message":null}',
      '{"rps":"fast"}',
      `{"${'k'.repeat(5000)}":1}`,
      '{"a":[[[[[[]]]]]]}',
    ];
    for (const name of ['greeter', 'limiter', 'flags', 'status', 'welcome']) {
      for (const payload of payloads) {
        const res = await app.inject({
          method: 'PUT',
          url: `/api/v1/modules/${name}/config`,
          headers: { ...admin, ...json },
          payload,
        });
        expect(res.statusCode, `${name} ${payload.slice(0, 40)}`).toBeLessThan(500);
      }
    }
  });
});

/** A test-only type whose config validates but that fails to take `fail: true`, in place or rebuilt. */
class Fragile extends InPlaceModule<{ fail: boolean }> {
  protected override apply(next: { fail: boolean }): void {
    if (next.fail) throw new Error('cannot take it');
  }
}
const fragileType: ModuleType<{ fail: boolean }, Fragile> = {
  type: 'fragile',
  description: 'fails on purpose',
  reconfigurable: true,
  configSchema: z.strictObject({ fail: z.boolean() }),
  routes: () => [],
  create: (ctx) => {
    if (ctx.config.fail) throw new Error('cannot be built either');
    return new Fragile(fragileType, ctx);
  },
};

describe('PUT when applying fails', () => {
  it('500 CFG_ERR_RELOAD_FAILED (not bad input): says the previous config keeps serving', async () => {
    const registry = new ModuleRegistry([...BUILTIN_MODULE_TYPES, fragileType as ModuleType]);
    const config = { modules: [{ name: 'f', type: 'fragile', config: { fail: false } }] };
    const { app, admin, runtime } = await buildTestApp({ config, registry });
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/modules/f/config',
      headers: admin,
      payload: { fail: true },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({
      code: 'CFG_ERR_RELOAD_FAILED',
      persisted: false,
      result: { outcome: 'rejected', errorCode: 'CFG_RELOAD_FAILED' },
      message: expect.stringContaining('previous module set keeps running'),
    });
    expect(runtime.reloader.current.config.modules[0]?.config).toEqual({ fail: false });
  });
});
