import type * as Order from '@cfg/reloader';
import { type AppConfig, hashConfig, type ModuleConfig } from '@cfg/source';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { InPlaceModule } from '../../src/engine/in-place-module.js';
import { ModuleRegistry } from '../../src/engine/registry.js';
import type { ModuleType } from '../../src/engine/types.js';
import { Runtime } from '../../src/runtime.js';

// The reloader from its sources, so that its own (internal) calls of `dependencyOrder` are counted
// together with the engine's: one counter for every ordering a change costs.
vi.mock('@cfg/reloader', () => import('../../../../packages/reloader/src/index.js'));
vi.mock('../../../../packages/reloader/src/dependency-order.js', async (original) => {
  const actual = await original<typeof Order>();
  return { ...actual, dependencyOrder: vi.fn(actual.dependencyOrder) };
});
const { dependencyOrder } = vi.mocked(await import('../../../../packages/reloader/src/dependency-order.js'));

/** Schema parses per module id, counted by the schema itself. */
const parses = new Map<string, number>();
const schema = z.strictObject({ id: z.string(), n: z.number() }).superRefine((value) => {
  parses.set(value.id, (parses.get(value.id) ?? 0) + 1);
});
type Counted = z.infer<typeof schema>;

class CountedModule extends InPlaceModule<Counted> {}

const countedType: ModuleType<Counted> = {
  type: 'counted',
  description: 'counts the parses of its config',
  reconfigurable: true,
  configSchema: schema,
  routes: () => [],
  create: (ctx) => new CountedModule(countedType, ctx),
};

const module = (name: string, n: number, dependsOn?: string[]): ModuleConfig => ({
  name,
  type: 'counted',
  config: { id: name, n },
  ...(dependsOn ? { dependsOn } : {}),
});
const snapshotOf = (config: AppConfig) => ({
  config,
  hash: hashConfig(config),
  source: 'test',
  loadedAt: new Date(),
});
/** `config` with module `name`'s `n` set; every other module object is kept (as the parsers keep them). */
const withN = (config: AppConfig, name: string, n: number): AppConfig => ({
  ...config,
  modules: config.modules.map((m) => (m.name === name ? { ...m, config: { id: name, n } } : m)),
});

/** Schema parses per module, and `dependencyOrder` calls (engine and reloader), since `start`. */
const work = () => ({ parses: Object.fromEntries(parses), orderings: dependencyOrder.mock.calls.length });

const runtimes: Runtime[] = [];
async function start(config: AppConfig): Promise<Runtime> {
  const runtime = await Runtime.create({
    initial: snapshotOf(config),
    engine: { registry: new ModuleRegistry([countedType]) },
  });
  runtimes.push(runtime);
  parses.clear();
  dependencyOrder.mockClear();
  return runtime;
}
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});

const INITIAL: AppConfig = { modules: [module('a', 1), module('b', 1, ['a']), module('c', 1, ['b'])] };

describe('work done once per change', () => {
  it('a changed module is parsed by its schema once: the validated value is what it runs on', async () => {
    const runtime = await start(INITIAL);
    const result = await runtime.handleChange(snapshotOf(withN(INITIAL, 'b', 2)));
    expect(result).toMatchObject({ outcome: 'partial', modules: [{ name: 'b', status: 'reconfigured' }] });
    expect((runtime.engine.getModule('b') as CountedModule).config).toEqual({ id: 'b', n: 2 });
    expect(work()).toEqual({ parses: { b: 1 }, orderings: 1 });
  });

  it('an API write is parsed once: checked before it is written, then applied', async () => {
    const runtime = await start(INITIAL);
    const outcome = await runtime.writer.writeModuleConfig(
      runtime.reloader.current,
      'c',
      { id: 'c', n: 5 },
      { actor: 'test', validate: (config) => runtime.validate(config) },
    );
    expect((await runtime.handleChange(outcome.snapshot)).outcome).toBe('partial');
    expect((runtime.engine.getModule('c') as CountedModule).config).toEqual({ id: 'c', n: 5 });
    expect(work()).toEqual({ parses: { c: 1 }, orderings: 1 });
  });

  it('a full reload builds from the validation: each new module config parsed once, one ordering', async () => {
    const runtime = await start(INITIAL);
    const next = {
      ...withN(INITIAL, 'a', 3),
      modules: [...withN(INITIAL, 'a', 3).modules, module('d', 1, ['c'])],
    };
    const result = await runtime.handleChange(snapshotOf(next));
    expect(result).toMatchObject({ outcome: 'full' });
    expect(work()).toEqual({ parses: { a: 1, d: 1 }, orderings: 1 });
  });
});
