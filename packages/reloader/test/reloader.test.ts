import { type AppConfig, ConfigValidationError, hashConfig } from '@cfg/source';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ConfigReloader } from '../src/reloader.js';
import type { ReloaderOptions } from '../src/types.js';
import { app, FakeTarget, mod, snapshot, spyLogger } from './helpers.js';

const BASE = app([mod('db', { pool: 5 }), mod('cache', { ttl: 60 }), mod('api', { port: 8080 })], {
  workflows: { nightly: { cron: '0 3 * * *' } },
});

function setup(
  initial: AppConfig = BASE,
  options: Partial<ReloaderOptions> & { reconfigurable?: (name: string) => boolean } = {},
) {
  const { reconfigurable, ...rest } = options;
  const target = new FakeTarget(
    initial,
    reconfigurable ? { reconfigurable: (m) => reconfigurable(m.name) } : {},
  );
  const logger = spyLogger();
  const reloader = new ConfigReloader({ initial: snapshot(initial), target, logger, ...rest });
  return { target, reloader, logger };
}

/** BASE with one module's config replaced. */
function withConfig(name: string, config: Record<string, unknown>, base: AppConfig = BASE): AppConfig {
  return { ...base, modules: base.modules.map((m) => (m.name === name ? { ...m, config } : m)) };
}

describe('noop', () => {
  it('does nothing for the hash it already has', async () => {
    const { target, reloader } = setup();
    const started = vi.fn();
    reloader.on('reload:start', started);

    const result = await reloader.handleChange(snapshot(structuredClone(BASE)));

    expect(result).toMatchObject({ outcome: 'noop', reason: 'same hash as current', modules: [] });
    expect(target.log).toEqual([]);
    expect(started).not.toHaveBeenCalled();
  });

  it('adopts a new hash whose content has no effective difference, without calling the target', async () => {
    const { target, reloader } = setup();
    const reformatted = snapshot(structuredClone(BASE), { hash: 'f'.repeat(64), version: 2 });

    const result = await reloader.handleChange(reformatted);

    expect(result).toMatchObject({ outcome: 'noop', reason: 'no effective change', toHash: 'f'.repeat(64) });
    expect(target.log).toEqual([]);
    expect(reloader.current).toBe(reformatted);
  });
});

describe('versions', () => {
  const at = (version: number, config: AppConfig = BASE) =>
    snapshot(structuredClone(config), { source: 'database:app', version });
  const setupAt = (version: number) => {
    const target = new FakeTarget(BASE);
    const reloader = new ConfigReloader({ initial: at(version), target, logger: spyLogger() });
    return { target, reloader };
  };

  it('a new version with the content already running is a noop that adopts the version', async () => {
    const { target, reloader } = setupAt(5);
    const updates = vi.fn();
    reloader.on('current:update', updates);
    const rollback = at(7);

    const result = await reloader.handleChange(rollback);

    expect(result).toMatchObject({
      outcome: 'noop',
      reason: 'same content as current; adopts version 7',
      fromVersion: 5,
      version: 7,
    });
    expect(reloader.current).toBe(rollback);
    expect(reloader.status().current.version).toBe(7);
    expect(updates).toHaveBeenCalledOnce();
    expect(target.log).toEqual([]);
  });

  it('the same version delivered again changes nothing', async () => {
    const { reloader } = setupAt(5);
    const initial = reloader.current;
    const result = await reloader.handleChange(at(5));
    expect(result).toMatchObject({ outcome: 'noop', reason: 'same hash as current', fromVersion: 5 });
    expect(reloader.current).toBe(initial);
  });

  it('an older version than one handed over is superseded at once and never applied', async () => {
    const { target, reloader } = setupAt(5);
    const v7 = withConfig('cache', { ttl: 7 });
    const v6 = withConfig('cache', { ttl: 6 });
    await reloader.handleChange(at(7, v7));
    const superseded = vi.fn();
    reloader.on('reload:superseded', superseded);

    const stale = await reloader.handleChange(at(6, v6));

    expect(stale).toMatchObject({
      outcome: 'superseded',
      version: 6,
      fromVersion: 7,
      supersededBy: hashConfig(v7),
      reason: 'version 6 arrived after version 7, which was already handed over',
    });
    expect(superseded).toHaveBeenCalledOnce();
    expect(reloader.current.version).toBe(7);
    expect(target.log).toEqual(['cache.prepare({"ttl":7})', 'cache.reconfigure({"ttl":7})']);
  });

  it('also when the newer version was rejected: versions are facts, the older one stays old', async () => {
    const { reloader } = setupAt(5);
    const bad = { ...BASE, modules: [...BASE.modules, mod('db', {})] }; // two modules named "db"
    expect((await reloader.handleChange(at(6, bad))).outcome).toBe('rejected');
    expect((await reloader.handleChange(at(4, withConfig('cache', { ttl: 4 })))).outcome).toBe('superseded');
    expect(reloader.current.version).toBe(5);
  });

  it("the same change delivered twice (a process's own write, then its poller's load) is applied once", async () => {
    const { target, reloader } = setupAt(5);
    const events = vi.fn();
    reloader.on('reload', events);
    // Both arrive while a reload runs: they wait together and share one result.
    const running = reloader.handleChange(at(6, withConfig('cache', { ttl: 6 })));
    const own = reloader.handleChange(at(7, withConfig('cache', { ttl: 7 })));
    const polled = reloader.handleChange(at(7, withConfig('cache', { ttl: 7 })));
    await running;
    expect(await polled).toBe(await own);
    expect(await own).toMatchObject({ outcome: 'partial', version: 7 });
    // Again, once applied (a write's own snapshot after its poller delivered it): counted as a noop,
    // no reload to tell anyone about, and the caller gets the result that applied it.
    expect(await reloader.handleChange(at(7, withConfig('cache', { ttl: 7 })))).toBe(await own);
    expect(events.mock.calls.map(([r]) => [r.outcome, r.version])).toEqual([
      ['partial', 6],
      ['partial', 7],
    ]);
    expect(reloader.status().counts).toMatchObject({ partial: 2, noop: 1, superseded: 0 });
    expect(target.log.filter((l) => l.startsWith('cache.reconfigure'))).toEqual([
      'cache.reconfigure({"ttl":6})',
      'cache.reconfigure({"ttl":7})',
    ]);
  });

  it('versions of another source, and unversioned snapshots, are not compared', async () => {
    const { reloader } = setupAt(5);
    const other = snapshot(withConfig('cache', { ttl: 1 }), { source: 'database:other', version: 1 });
    expect((await reloader.handleChange(other)).outcome).toBe('partial');
    const plain = snapshot(withConfig('cache', { ttl: 2 }));
    expect((await reloader.handleChange(plain)).outcome).toBe('partial');
  });
});

describe('validation', () => {
  it('rejects what a function validator returns as issues, and keeps the current config', async () => {
    const validate = (config: AppConfig) =>
      config.modules.some((m) => m.config?.port === 0)
        ? [{ path: 'modules.2.config.port', message: 'must be > 0' }]
        : [];
    const { target, reloader } = setup(BASE, { validate });
    const before = reloader.current;

    const result = await reloader.handleChange(snapshot(withConfig('api', { port: 0 })));

    expect(result).toMatchObject({
      outcome: 'rejected',
      errorCode: 'CFG_VALIDATION',
      error: 'modules.2.config.port: must be > 0',
      issues: [{ path: 'modules.2.config.port', message: 'must be > 0' }],
    });
    expect(target.log).toEqual([]);
    expect(reloader.current).toBe(before);
    expect(reloader.status()).toMatchObject({ degraded: true, lastError: { code: 'CFG_VALIDATION' } });
  });

  it('rejects when a function validator throws', async () => {
    const validate = () => {
      throw new ConfigValidationError([{ path: 'workflows', message: 'unknown step "x"' }]);
    };
    const { reloader } = setup(BASE, { validate });

    const result = await reloader.handleChange(snapshot(withConfig('api', { port: 1 })));

    expect(result.outcome).toBe('rejected');
    expect(result.issues).toEqual([{ path: 'workflows', message: 'unknown step "x"' }]);
  });

  it('takes a zod 4 schema as a Standard Schema, with dotted issue paths', async () => {
    const schema = z.object({
      modules: z.array(
        z.object({ name: z.string(), type: z.string(), config: z.record(z.string(), z.number()).optional() }),
      ),
    });
    const { target, reloader } = setup(BASE, { validate: schema });

    const bad = await reloader.handleChange(snapshot(withConfig('cache', { ttl: 'soon' })));
    expect(bad).toMatchObject({ outcome: 'rejected', errorCode: 'CFG_VALIDATION' });
    expect(bad.issues).toEqual([{ path: 'modules.cache.config.ttl', message: expect.any(String) }]);
    expect(target.log).toEqual([]);

    const good = await reloader.handleChange(snapshot(withConfig('cache', { ttl: 30 })));
    expect(good.outcome).toBe('partial');
  });

  it('rejects a validator that does not answer within reloadTimeoutMs', async () => {
    const validate = () => new Promise<undefined>(() => {});
    const { reloader } = setup(BASE, { validate, reloadTimeoutMs: 20 });

    const result = await reloader.handleChange(snapshot(withConfig('api', { port: 1 })));

    expect(result).toMatchObject({ outcome: 'rejected', errorCode: 'CFG_RELOAD_TIMEOUT' });
    expect(result.error).toMatch(/validation did not finish within 20 ms/);
  });

  it('rejects two modules sharing a name', async () => {
    const { target, reloader } = setup();
    const next = app([...BASE.modules, mod('db', { pool: 9 })], { workflows: BASE.workflows });

    const result = await reloader.handleChange(snapshot(next));

    expect(result).toMatchObject({ outcome: 'rejected', errorCode: 'CFG_VALIDATION' });
    expect(result.issues?.[0]?.path).toBe('modules');
    expect(target.log).toEqual([]);
  });
});

describe('partial', () => {
  it('reconfigures one changed module in place', async () => {
    const { target, reloader } = setup();
    const next = snapshot(withConfig('cache', { ttl: 30 }), { version: 7 });

    const result = await reloader.handleChange(next);

    expect(result).toMatchObject({
      outcome: 'partial',
      fromHash: snapshot(BASE).hash,
      toHash: next.hash,
      version: 7,
      source: 'test',
      modules: [{ name: 'cache', status: 'reconfigured' }],
    });
    expect(target.log).toEqual(['cache.prepare({"ttl":30})', 'cache.reconfigure({"ttl":30})']);
    expect(target.fake('cache').config.config).toEqual({ ttl: 30 });
    expect(reloader.current).toBe(next);
  });

  it('passes the previous module config and a live signal', async () => {
    const { target, reloader } = setup();
    const spy = vi.spyOn(target.fake('db'), 'reconfigure');

    await reloader.handleChange(snapshot(withConfig('db', { pool: 6 })));

    const [next, ctx] = spy.mock.calls[0]!;
    expect(next.config).toEqual({ pool: 6 });
    expect(ctx.previous.config).toEqual({ pool: 5 });
    expect(ctx.signal.aborted).toBe(false);
  });

  it('reconfigures three modules after the ones they depend on, preparing all first', async () => {
    const initial = app([
      mod('api', { v: 1 }, { dependsOn: ['cache', 'db'] }),
      mod('cache', { v: 1 }, { dependsOn: ['db'] }),
      mod('db', { v: 1 }),
    ]);
    const { target, reloader } = setup(initial);
    const next = app(initial.modules.map((m) => ({ ...m, config: { v: 2 } })));

    const result = await reloader.handleChange(snapshot(next));

    expect(result.outcome).toBe('partial');
    expect(result.modules.map((m) => m.name)).toEqual(['db', 'cache', 'api']);
    expect(target.log).toEqual([
      'db.prepare({"v":2})',
      'cache.prepare({"v":2})',
      'api.prepare({"v":2})',
      'db.reconfigure({"v":2})',
      'cache.reconfigure({"v":2})',
      'api.reconfigure({"v":2})',
    ]);
  });
});

describe('full', () => {
  const cases: [string, AppConfig, RegExp][] = [
    [
      'a module type change',
      { ...BASE, modules: BASE.modules.map((m) => (m.name === 'db' ? { ...m, type: 'postgres' } : m)) },
      /module "db" changed type \(worker → postgres\)/,
    ],
    [
      'a dependsOn change',
      { ...BASE, modules: BASE.modules.map((m) => (m.name === 'api' ? { ...m, dependsOn: ['db'] } : m)) },
      /module "api" changed dependsOn/,
    ],
    [
      'a changed section',
      { ...BASE, workflows: { nightly: { cron: '0 4 * * *' } } },
      /section "workflows" changed/,
    ],
    ['a section added later', { ...BASE, secrets: { vault: 'x' } }, /section "secrets" changed/],
    ['a removed section', { modules: BASE.modules }, /section "workflows" changed/],
    ['an added module', { ...BASE, modules: [...BASE.modules, mod('queue')] }, /module "queue" added/],
    ['a removed module', { ...BASE, modules: BASE.modules.slice(1) }, /module "db" removed/],
    [
      'a change outside config',
      { ...BASE, modules: BASE.modules.map((m) => (m.name === 'db' ? { ...m, replicas: 3 } : m)) },
      /module "db" changed \/replicas/,
    ],
  ];

  it.each(cases)('rebuilds everything for %s', async (_, next, reason) => {
    const { target, reloader } = setup();
    const nextSnapshot = snapshot(next);

    const result = await reloader.handleChange(nextSnapshot);

    expect(result.outcome).toBe('full');
    expect(result.reason).toMatch(reason);
    expect(target.log).toEqual([`fullReload(${next.modules.map((m) => m.name).join(',')})`]);
    expect(reloader.current).toBe(nextSnapshot);
  });

  it('rebuilds when a changed module is not Reconfigurable, and says which one', async () => {
    const { target, reloader } = setup(BASE, { reconfigurable: (name) => name !== 'cache' });

    const result = await reloader.handleChange(snapshot(withConfig('cache', { ttl: 1 })));

    expect(result).toMatchObject({
      outcome: 'full',
      reason: 'module "cache" is not Reconfigurable',
      modules: [{ name: 'cache', status: 'rebuilt' }],
    });
    expect(target.log).toEqual(['fullReload(db,cache,api)']);
  });

  it('rebuilds when the changed modules depend on each other in a cycle', async () => {
    const initial = app([mod('a', {}, { dependsOn: ['b'] }), mod('b', {}, { dependsOn: ['a'] })]);
    const { reloader } = setup(initial);
    const next = app(initial.modules.map((m) => ({ ...m, config: { v: 2 } })));

    const result = await reloader.handleChange(snapshot(next));

    expect(result).toMatchObject({ outcome: 'full', reason: 'dependency cycle: a → b → a' });
  });

  it('walks a changed module’s dependencies once while the dependency graph stays the same', async () => {
    let reads = 0;
    // The root of a chain; its `dependsOn` is read only by a walk of the dependencies.
    const root = {
      name: 'root',
      type: 'worker',
      config: {},
      get dependsOn() {
        reads++;
        return [];
      },
    };
    const chain = [root, mod('mid', {}, { dependsOn: ['root'] }), mod('top', {}, { dependsOn: ['mid'] })];
    const { reloader } = setup(app(chain));
    const edits = [1, 2, 3].map((v) =>
      snapshot(app(chain.map((m) => (m.name === 'top' ? { ...m, config: { v } } : m)))),
    );

    reads = 0;
    expect(await reloader.handleChange(edits[0]!)).toMatchObject({ outcome: 'partial' });
    expect(reads).toBeGreaterThan(0);
    reads = 0;
    expect(await reloader.handleChange(edits[1]!)).toMatchObject({ outcome: 'partial' });
    expect(await reloader.handleChange(edits[2]!)).toMatchObject({ outcome: 'partial' });
    expect(reads).toBe(0);
  });

  it('still rebuilds for a cycle reached through unchanged modules, every time', async () => {
    const initial = app([
      mod('a', {}, { dependsOn: ['b'] }),
      mod('b', {}, { dependsOn: ['a'] }),
      mod('c', {}, { dependsOn: ['a'] }),
    ]);
    const { reloader } = setup(initial);
    for (const v of [1, 2]) {
      const next = app(initial.modules.map((m) => (m.name === 'c' ? { ...m, config: { v } } : m)));
      expect(await reloader.handleChange(snapshot(next))).toMatchObject({
        outcome: 'full',
        reason: 'dependency cycle: a → b → a',
      });
    }
  });

  it('rejects when the full reload throws, and keeps the current config', async () => {
    const { target, reloader } = setup();
    target.fullReloadFails = new Error('port 8080 in use');
    const before = reloader.current;

    const result = await reloader.handleChange(snapshot({ ...BASE, secrets: { token: 'x' } }));

    expect(result).toMatchObject({
      outcome: 'rejected',
      errorCode: 'CFG_RELOAD_FAILED',
      error: 'full reload failed: port 8080 in use; the previous module set keeps running',
    });
    expect(reloader.current).toBe(before);
    expect(reloader.status().degraded).toBe(true);
  });

  it('rejects a full reload that exceeds reloadTimeoutMs, aborting its signal', async () => {
    const { target, reloader } = setup(BASE, { reloadTimeoutMs: 30 });
    target.fullReloadHangs = true;

    const result = await reloader.handleChange(snapshot({ ...BASE, secrets: { token: 'x' } }));

    expect(result).toMatchObject({ outcome: 'rejected', errorCode: 'CFG_RELOAD_TIMEOUT' });
    expect(result.error).toMatch(/full reload did not finish within 30 ms/);
    expect(target.fullReloadSignals[0]?.aborted).toBe(true);
    expect(reloader.current.hash).toBe(snapshot(BASE).hash);
  });
});

describe('two-phase partial reload', () => {
  const FOUR = app([mod('a', { v: 1 }), mod('b', { v: 1 }), mod('c', { v: 1 }), mod('d', { v: 1 })]);
  const FOUR_NEXT = app(FOUR.modules.map((m) => ({ ...m, config: { v: 2 } })));

  it('rejects when a prepareReconfigure refuses, before any module is touched', async () => {
    const { target, reloader } = setup(FOUR);
    target.fake('c').refuse = new Error('v must be odd');

    const result = await reloader.handleChange(snapshot(FOUR_NEXT));

    expect(result).toMatchObject({
      outcome: 'rejected',
      errorCode: 'CFG_VALIDATION',
      issues: [{ path: 'modules.c', message: 'module "c" refused: v must be odd' }],
      modules: [{ name: 'c', status: 'failed', error: 'v must be odd' }],
    });
    expect(target.log.filter((l) => !l.includes('.prepare('))).toEqual([]);
    expect(reloader.current.config).toBe(FOUR);
  });

  it("keeps each issue of a module's ConfigValidationError, under the module's path", async () => {
    const { target, reloader } = setup(FOUR);
    target.fake('b').refuse = new ConfigValidationError([
      { path: 'config.v', message: 'must be odd' },
      { path: 'config.w', message: 'is required' },
    ]);

    const result = await reloader.handleChange(snapshot(FOUR_NEXT));

    expect(result.outcome).toBe('rejected');
    expect(result.issues).toEqual([
      { path: 'modules.b.config.v', message: 'module "b" refused: must be odd' },
      { path: 'modules.b.config.w', message: 'module "b" refused: is required' },
    ]);
  });

  it('keeps an issue path that already names the module (one convention: never modules.b.modules.b…)', async () => {
    const { target, reloader } = setup(FOUR);
    target.fake('b').refuse = new ConfigValidationError([
      { path: 'modules.b.config.v', message: 'must be odd' },
    ]);

    const result = await reloader.handleChange(snapshot(FOUR_NEXT));

    expect(result.issues).toEqual([
      { path: 'modules.b.config.v', message: 'module "b" refused: must be odd' },
    ]);
  });

  it('rolls back in reverse order when the 3rd of 4 fails, then rebuilds', async () => {
    const { target, reloader } = setup(FOUR);
    target.fake('c').fail = new Error('cannot resize');
    const next = snapshot(FOUR_NEXT);

    const result = await reloader.handleChange(next);

    expect(target.log.filter((l) => !l.includes('.prepare('))).toEqual([
      'a.reconfigure({"v":2})',
      'b.reconfigure({"v":2})',
      'c.reconfigure({"v":2})',
      'b.reconfigure({"v":1})',
      'a.reconfigure({"v":1})',
      'fullReload(a,b,c,d)',
    ]);
    expect(result.outcome).toBe('full');
    expect(result.reason).toBe(
      'module "c" failed to reconfigure (cannot resize); rolled back "a", "b"; fell back to a full reload',
    );
    expect(result.modules.map((m) => [m.name, m.status, m.error])).toEqual([
      ['a', 'rebuilt', undefined],
      ['b', 'rebuilt', undefined],
      ['c', 'rebuilt', 'cannot resize'],
      ['d', 'rebuilt', undefined],
    ]);
    expect(reloader.current).toBe(next);
  });

  it('rejects when the fallback full reload fails too: modules back on the old config, degraded', async () => {
    const { target, reloader } = setup(FOUR);
    target.fake('c').fail = new Error('cannot resize');
    target.fullReloadFails = new Error('out of memory');
    const before = reloader.current;

    const result = await reloader.handleChange(snapshot(FOUR_NEXT));

    expect(result).toMatchObject({ outcome: 'rejected', errorCode: 'CFG_RELOAD_FAILED' });
    expect(result.error).toBe(
      'module "c" failed to reconfigure (cannot resize); rolled back "a", "b"; then full reload failed: out of memory; the previous module set keeps running',
    );
    expect(result.modules.map((m) => [m.name, m.status])).toEqual([
      ['a', 'rolled-back'],
      ['b', 'rolled-back'],
      ['c', 'failed'],
    ]);
    expect(['a', 'b', 'c', 'd'].map((n) => target.fake(n).config.config)).toEqual([
      { v: 1 },
      { v: 1 },
      { v: 1 },
      { v: 1 },
    ]);
    expect(reloader.current).toBe(before);
    expect(reloader.status()).toMatchObject({
      degraded: true,
      lastError: { code: 'CFG_RELOAD_FAILED', toHash: snapshot(FOUR_NEXT).hash },
    });
  });

  it('times out a hanging reconfigure, aborts its signal, rolls back, and rebuilds', async () => {
    const { target, reloader } = setup(FOUR, { moduleTimeoutMs: 150 });
    const hanging = target.fake('b');
    hanging.hangs = true;

    const result = await reloader.handleChange(snapshot(FOUR_NEXT));

    expect(hanging.abortedSignals).toHaveLength(1);
    expect(hanging.abortedSignals[0]?.reason).toMatchObject({ code: 'CFG_RELOAD_TIMEOUT' });
    expect(target.log.filter((l) => !l.includes('.prepare('))).toEqual([
      'a.reconfigure({"v":2})',
      'b.reconfigure({"v":2})',
      'a.reconfigure({"v":1})',
      'fullReload(a,b,c,d)',
    ]);
    expect(result.outcome).toBe('full');
    expect(result.modules.find((m) => m.name === 'b')?.error).toMatch(
      /module "b" reconfigure did not finish within 150 ms/,
    );
  });

  it('reports a rollback that fails, and still rebuilds', async () => {
    const { target, reloader, logger } = setup(FOUR);
    target.fake('c').fail = new Error('cannot resize');
    target.fullReloadFails = new Error('still broken');
    const a = target.fake('a');
    const original = a.reconfigure.bind(a);
    let calls = 0;
    a.reconfigure = (next, ctx) => (++calls === 2 ? Promise.reject(new Error('stuck')) : original(next, ctx));

    const result = await reloader.handleChange(snapshot(FOUR_NEXT));

    expect(result.modules.map((m) => [m.name, m.status, m.error])).toEqual([
      ['a', 'failed', 'rollback failed: stuck'],
      ['b', 'rolled-back', undefined],
      ['c', 'failed', 'cannot resize'],
    ]);
    expect(target.log.at(-1)).toBe('fullReload(a,b,c,d)');
    expect(logger.warn).toHaveBeenCalledWith(
      expect.objectContaining({ modules: result.modules }),
      'config change rejected; keeping the last good config',
    );
  });
});

describe('status, events and setCurrent', () => {
  it('counts outcomes, remembers the last error, and clears degraded on the next success', async () => {
    const { target, reloader } = setup();
    target.fullReloadFails = new Error('boom');
    await reloader.handleChange(snapshot({ ...BASE, secrets: { token: 'x' } }));
    expect(reloader.status().degraded).toBe(true);

    target.fullReloadFails = undefined;
    const applied = await reloader.handleChange(snapshot(withConfig('db', { pool: 8 })));
    await reloader.handleChange(reloader.current);

    const status = reloader.status();
    expect(status).toMatchObject({
      current: { hash: applied.toHash, source: 'test' },
      lastResult: { outcome: 'noop' },
      lastError: { code: 'CFG_RELOAD_FAILED', message: expect.stringContaining('boom') },
      counts: { noop: 1, partial: 1, full: 0, rejected: 1, superseded: 0 },
      degraded: false,
      reloading: false,
      queued: 0,
    });
  });

  it('emits reload, reload:applied and current:update for an applied change', async () => {
    const { reloader } = setup();
    const seen: string[] = [];
    reloader.on('reload:start', () => seen.push('start'));
    reloader.on('current:update', ({ previous, current }) =>
      seen.push(`current ${previous.hash === current.hash}`),
    );
    reloader.on('reload:applied', (r) => seen.push(`applied ${r.outcome}`));
    reloader.on('reload', (r) => seen.push(`reload ${r.outcome}`));

    await reloader.handleChange(snapshot(withConfig('db', { pool: 8 })));

    expect(seen).toEqual(['start', 'current false', 'applied partial', 'reload partial']);
  });

  it('emits reload:rejected for a rejection, and unsubscribes', async () => {
    const { target, reloader } = setup();
    target.fullReloadFails = new Error('boom');
    const rejected = vi.fn();
    const off = reloader.on('reload:rejected', rejected);

    await reloader.handleChange(snapshot({ ...BASE, a: 1 }));
    off();
    await reloader.handleChange(snapshot({ ...BASE, a: 2 }));

    expect(rejected).toHaveBeenCalledTimes(1);
    expect(rejected).toHaveBeenCalledWith(expect.objectContaining({ outcome: 'rejected' }));
  });

  it('keeps going when a listener throws, and logs it', async () => {
    const { reloader, logger } = setup();
    reloader.on('reload', () => {
      throw new Error('listener bug');
    });
    reloader.on('current:update', async () => {
      throw new Error('async listener bug');
    });
    const after = vi.fn();
    reloader.on('reload', after);

    const result = await reloader.handleChange(snapshot(withConfig('db', { pool: 8 })));
    await vi.waitFor(() => expect(logger.error).toHaveBeenCalledTimes(2));

    expect(result.outcome).toBe('partial');
    expect(after).toHaveBeenCalledWith(result);
    expect(reloader.current.hash).toBe(result.toHash);
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ event: 'reload', err: expect.objectContaining({ message: 'listener bug' }) }),
      'a "reload" listener threw; ignored',
    );
  });

  it('setCurrent makes the same change arriving later a noop, and clears degraded', async () => {
    const { target, reloader } = setup();
    target.fullReloadFails = new Error('boom');
    await reloader.handleChange(snapshot({ ...BASE, a: 1 }));
    const applied = snapshot(withConfig('api', { port: 9090 }), { source: 'api', version: 3 });
    const updates = vi.fn();
    reloader.on('current:update', updates);

    reloader.setCurrent(applied);
    const result = await reloader.handleChange(snapshot(applied.config));

    expect(updates).toHaveBeenCalledWith({ previous: expect.anything(), current: applied });
    expect(result.outcome).toBe('noop');
    expect(target.log).toEqual(['fullReload(db,cache,api)']);
    expect(reloader.status()).toMatchObject({ current: { source: 'api', version: 3 }, degraded: false });
  });

  it('accepts a ConfigChangeEvent and applies its snapshot', async () => {
    const { reloader } = setup();
    const next = snapshot(withConfig('db', { pool: 8 }));

    const result = await reloader.handleChange({
      source: 'test',
      oldHash: reloader.current.hash,
      newHash: next.hash,
      snapshot: next,
      at: new Date(),
    });

    expect(result.outcome).toBe('partial');
    expect(reloader.current).toBe(next);
  });
});

describe('programmer errors', () => {
  it('rejects the promise for something that is not a snapshot or an event', async () => {
    const { reloader } = setup();
    const bogus = { hash: 'x' } as unknown as Parameters<typeof reloader.handleChange>[0];

    await expect(reloader.handleChange(bogus)).rejects.toThrow(TypeError);
    expect(reloader.status().counts.rejected).toBe(0);
  });

  it('refuses non-positive timeouts and a target without its methods', () => {
    const target = new FakeTarget(BASE);
    const initial = snapshot(BASE);
    expect(() => new ConfigReloader({ initial, target, moduleTimeoutMs: 0 })).toThrow(
      /moduleTimeoutMs must be a positive/,
    );
    expect(() => new ConfigReloader({ initial, target, reloadTimeoutMs: Number.NaN })).toThrow(RangeError);
    const broken = { getModule: () => undefined } as unknown as FakeTarget;
    expect(() => new ConfigReloader({ initial, target: broken })).toThrow(/fullReload/);
  });

  it('turns a getModule that throws into a rejection, not a stuck queue', async () => {
    const { target, reloader } = setup();
    target.getModule = () => {
      throw new Error('engine not started');
    };

    const first = await reloader.handleChange(snapshot(withConfig('db', { pool: 8 })));
    const second = await reloader.handleChange(snapshot(BASE));

    expect(first).toMatchObject({ outcome: 'rejected', error: 'reload failed: engine not started' });
    expect(second.outcome).toBe('noop');
  });
});
