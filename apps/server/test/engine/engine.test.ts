import { ConfigReloader } from '@cfg/reloader';
import { ConfigValidationError } from '@cfg/source';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Engine } from '../../src/engine/engine.js';
import { BUILTIN_MODULE_TYPES, ModuleRegistry } from '../../src/engine/registry.js';
import type { ModuleInstance, ModuleType } from '../../src/engine/types.js';
import { sampleConfig, snapshotOf, withModuleConfig } from '../helpers/configs.js';

const signal = () => new AbortController().signal;

/** A test-only type that records its lifecycle and can be told to fail while starting. */
function lifecycleType(log: string[]): ModuleType<{ failStart: boolean }> {
  return {
    type: 'probe',
    description: 'records start/stop',
    reconfigurable: false,
    configSchema: z.strictObject({ failStart: z.boolean().default(false) }),
    routes: () => [],
    create: ({ name, config }): ModuleInstance => ({
      name,
      type: 'probe',
      start: () => {
        if (config.failStart) throw new Error(`${name} cannot start`);
        log.push(`start ${name}`);
      },
      stop: () => {
        log.push(`stop ${name}`);
      },
    }),
  };
}

const engines: Engine[] = [];
async function createEngine(...args: Parameters<typeof Engine.create>): Promise<Engine> {
  const engine = await Engine.create(...args);
  engines.push(engine);
  return engine;
}
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

describe('Engine', () => {
  it('builds the module set and routes GET paths to their modules', async () => {
    const engine = await createEngine(sampleConfig({ message: 'hi' }));
    expect(engine.modules.route('/hello')?.respond?.('/hello').body).toEqual({ message: 'hi' });
    expect(engine.modules.route('/welcome')?.respond?.('/welcome').body).toEqual({ message: 'Welcome! hi' });
    expect(engine.modules.route('/status')?.name).toBe('status');
    expect(engine.modules.route('/nothing')).toBeUndefined();
    expect(engine.modules.limit('/hello')).toEqual({ allowed: true });
  });

  it('refuses an invalid first config with every issue', async () => {
    const bad = withModuleConfig(sampleConfig(), 'limiter', { rps: -1 });
    await expect(Engine.create(bad)).rejects.toBeInstanceOf(ConfigValidationError);
  });

  it('fullReload builds the new set, swaps, then stops the old one', async () => {
    const log: string[] = [];
    const registry = new ModuleRegistry([...BUILTIN_MODULE_TYPES, lifecycleType(log) as ModuleType]);
    const engine = await createEngine({ modules: [{ name: 'a', type: 'probe' }] }, { registry });
    const before = engine.modules;
    await engine.fullReload({ modules: [{ name: 'b', type: 'probe' }] }, { signal: signal() });
    expect(engine.modules).not.toBe(before);
    expect(engine.getModule('b')?.name).toBe('b');
    await before.stop(0); // already stopping: resolves when the retired set has stopped
    expect(log).toEqual(['start a', 'start b', 'stop a']);
  });

  it('a build failure leaves the old set serving and stops what the new one started', async () => {
    const log: string[] = [];
    const registry = new ModuleRegistry([...BUILTIN_MODULE_TYPES, lifecycleType(log) as ModuleType]);
    const engine = await createEngine({ modules: [{ name: 'a', type: 'probe' }] }, { registry });
    const before = engine.modules;
    const next = {
      modules: [
        { name: 'b', type: 'probe' },
        { name: 'c', type: 'probe', config: { failStart: true } },
      ],
    };
    await expect(engine.fullReload(next, { signal: signal() })).rejects.toThrow('c cannot start');
    expect(engine.modules).toBe(before);
    expect(log).toEqual(['start a', 'start b', 'stop b']);
  });

  it('an aborted full reload keeps the old set', async () => {
    const engine = await createEngine(sampleConfig());
    const before = engine.modules;
    const controller = new AbortController();
    controller.abort(new Error('timed out'));
    await expect(
      engine.fullReload(sampleConfig({ message: 'x' }), { signal: controller.signal }),
    ).rejects.toThrow('timed out');
    expect(engine.modules).toBe(before);
  });

  it('in-flight requests finish on the set they started on; it stops after they release it', async () => {
    const log: string[] = [];
    const registry = new ModuleRegistry([...BUILTIN_MODULE_TYPES, lifecycleType(log) as ModuleType]);
    const engine = await createEngine({ modules: [{ name: 'a', type: 'probe' }] }, { registry });
    const inFlight = engine.modules;
    const release = inFlight.acquire();
    await engine.fullReload({ modules: [{ name: 'b', type: 'probe' }] }, { signal: signal() });
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['start a', 'start b']); // "a" still serves the request that took it
    expect(inFlight.get('a')?.name).toBe('a');
    release();
    await inFlight.stop(0);
    expect(log).toEqual(['start a', 'start b', 'stop a']);
  });
});

describe('Engine as the ConfigReloader target', () => {
  async function setup() {
    const initial = snapshotOf(sampleConfig({ message: 'one' }));
    const engine = await createEngine(initial.config);
    const reloader = new ConfigReloader({ initial, target: engine, validate: (c) => engine.validate(c) });
    return { engine, reloader };
  }

  it('a greeter message change is partial: same instance, new message', async () => {
    const { engine, reloader } = await setup();
    const greeter = engine.getModule('greeter');
    const result = await reloader.handleChange(snapshotOf(sampleConfig({ message: 'two' })));
    expect(result.outcome).toBe('partial');
    expect(result.modules.map((m) => m.name)).toEqual(['greeter']);
    expect(engine.getModule('greeter')).toBe(greeter);
    expect(engine.modules.route('/hello')?.respond?.('/hello').body).toEqual({ message: 'two' });
  });

  it('a static-response change is full: a new module set', async () => {
    const { engine, reloader } = await setup();
    const before = engine.modules;
    const result = await reloader.handleChange(
      snapshotOf(sampleConfig({ message: 'one', body: { ok: false } })),
    );
    expect(result.outcome).toBe('full');
    expect(engine.modules).not.toBe(before);
    expect(engine.modules.route('/status')?.respond?.('/status').body).toEqual({ ok: false });
  });

  it('rps -1 is rejected with its issue, and nothing changes', async () => {
    const { engine, reloader } = await setup();
    const before = engine.modules;
    const bad = withModuleConfig(sampleConfig({ message: 'two' }), 'limiter', { rps: -1 });
    const result = await reloader.handleChange(snapshotOf(bad));
    expect(result.outcome).toBe('rejected');
    expect(result.issues).toEqual([{ path: 'modules.limiter.config.rps', message: expect.any(String) }]);
    expect(engine.modules).toBe(before);
    expect(engine.modules.route('/hello')?.respond?.('/hello').body).toEqual({ message: 'one' });
  });
});
