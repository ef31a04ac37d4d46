import { describe, expect, it } from 'vitest';
import {
  type AppConfig,
  type ModuleConfig,
  mergeConfigs,
  mergePatch,
  type SkippedModule,
} from '../src/index.js';

describe('mergeConfigs', () => {
  const base: AppConfig = {
    modules: [
      {
        name: 'http',
        type: 'http.server',
        config: { port: 8080, limits: { rps: 100, burst: 10 }, hosts: ['a'] },
      },
      { name: 'db', type: 'postgres', dependsOn: ['net'], config: { pool: 5 } },
    ],
    platform: { region: 'eu', zones: ['a', 'b'], tags: { team: 'core', cost: 'x' } },
    workflows: { main: { steps: ['a'] } },
  };

  it('matches modules by name: config deep-merges, type and dependsOn replace, new ones append', () => {
    const overlay: AppConfig = {
      modules: [
        { name: 'cache', type: 'redis' },
        { name: 'db', type: 'cockroach', dependsOn: [] },
        { name: 'http', type: 'http.server', config: { limits: { rps: 500 }, hosts: ['b', 'c'] } },
      ],
    };
    expect(mergeConfigs(base, overlay).modules).toEqual([
      {
        name: 'http',
        type: 'http.server',
        config: { port: 8080, limits: { rps: 500, burst: 10 }, hosts: ['b', 'c'] },
      },
      { name: 'db', type: 'cockroach', dependsOn: [], config: { pool: 5 } },
      { name: 'cache', type: 'redis' },
    ]);
  });

  it('null deletes a key, in module config and in sections', () => {
    const merged = mergeConfigs(base, {
      modules: [{ name: 'http', type: 'http.server', config: { limits: { burst: null }, port: null } }],
      platform: { tags: { cost: null } },
      workflows: null,
    });
    expect(merged.modules[0]?.config).toEqual({ limits: { rps: 100 }, hosts: ['a'] });
    expect(merged.platform).toEqual({ region: 'eu', zones: ['a', 'b'], tags: { team: 'core' } });
    expect('workflows' in merged).toBe(false);
  });

  it('merges every other section the same way, and adds new ones without their nulls', () => {
    const merged = mergeConfigs(base, {
      modules: [],
      platform: { zones: ['c'], replicas: 3 },
      triggers: { cron: { every: '1m', off: null } },
    });
    expect(merged).toEqual({
      modules: base.modules,
      platform: { region: 'eu', zones: ['c'], tags: { team: 'core', cost: 'x' }, replicas: 3 },
      workflows: { main: { steps: ['a'] } },
      triggers: { cron: { every: '1m' } },
    });
    expect(Object.keys(merged)).toEqual(['modules', 'platform', 'workflows', 'triggers']);
  });

  it('never modifies its inputs and shares no objects with them', () => {
    const overlay: AppConfig = {
      modules: [{ name: 'http', type: 'http.server', config: { limits: { rps: 1 } } }],
      platform: { tags: { cost: null } },
    };
    const before = structuredClone({ base, overlay });
    const merged = mergeConfigs(base, overlay);
    expect({ base, overlay }).toEqual(before);

    (merged.modules[1]?.config as { pool: number }).pool = 99;
    (merged.platform as { zones: string[] }).zones.push('z');
    merged.modules.push({ name: 'x', type: 'y' });
    expect({ base, overlay }).toEqual(before);
  });

  it('does not pollute prototypes through __proto__ or constructor keys', () => {
    const overlay = JSON.parse(
      '{"modules": [{"name": "http", "type": "t", "config": {"__proto__": {"polluted": 1}}}],' +
        ' "__proto__": {"polluted": 2}, "constructor": {"prototype": {"polluted": 3}}}',
    ) as AppConfig;
    const merged = mergeConfigs(base, overlay);

    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect((merged as { polluted?: unknown }).polluted).toBeUndefined();
    // The keys survive as ordinary data, exactly as the overlay had them.
    expect(Object.getOwnPropertyDescriptor(merged, '__proto__')?.value).toEqual({ polluted: 2 });
    expect(Object.hasOwn(merged, 'constructor')).toBe(true);
    const config = merged.modules[0]?.config as object;
    expect(Object.getPrototypeOf(config)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(config, '__proto__')?.value).toEqual({ polluted: 1 });
  });

  it('merging __proto__ into __proto__ merges data, not prototypes', () => {
    const a = JSON.parse('{"modules": [], "__proto__": {"x": 1}}') as AppConfig;
    const b = JSON.parse('{"modules": [], "__proto__": {"y": 2}}') as AppConfig;
    const merged = mergeConfigs(a, b);
    expect(Object.getOwnPropertyDescriptor(merged, '__proto__')?.value).toEqual({ x: 1, y: 2 });
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });
});

/** An overlay entry without `type`, as a layer read with `overlay: true` holds it. */
const untyped = (entry: Omit<ModuleConfig, 'type'>) => entry as ModuleConfig;

describe("mergeConfigs, modules: 'patch' (an overlay that only edits the base's modules)", () => {
  const base: AppConfig = {
    modules: [
      { name: 'http', type: 'http.server', config: { port: 8080, debug: true } },
      { name: 'db', type: 'postgres', config: { pool: 5 } },
    ],
  };
  const patch = (overlay: AppConfig['modules']) => {
    const skipped: SkippedModule[] = [];
    const merged = mergeConfigs(
      base,
      { modules: overlay },
      { modules: 'patch', onSkip: (s) => skipped.push(s) },
    );
    return { modules: merged.modules, skipped };
  };

  it('an entry without `type` edits the module of its name, keeping the base type', () => {
    const { modules, skipped } = patch([untyped({ name: 'http', config: { debug: false } })]);
    expect(modules[0]).toEqual({ name: 'http', type: 'http.server', config: { port: 8080, debug: false } });
    expect(skipped).toEqual([]);
  });

  it('a `type` is a condition, never a change: an entry for another type is left out and reported', () => {
    const same = patch([{ name: 'db', type: 'postgres', config: { pool: 9 } }]);
    expect(same.modules[1]).toEqual({ name: 'db', type: 'postgres', config: { pool: 9 } });
    const other = patch([{ name: 'db', type: 'cockroach', config: { pool: 9 } }]);
    expect(other.modules).toEqual(base.modules);
    expect(other.skipped).toEqual([{ name: 'db', reason: 'type', type: 'cockroach', baseType: 'postgres' }]);
  });

  it('an entry for a module the base does not have is left out and reported, with or without a type', () => {
    const { modules, skipped } = patch([
      { name: 'gone', type: 'cache', config: { a: 1 } },
      untyped({ name: 'also-gone', config: { a: 1 } }),
    ]);
    expect(modules).toEqual(base.modules);
    expect(skipped).toEqual([
      { name: 'gone', reason: 'missing', type: 'cache' },
      { name: 'also-gone', reason: 'missing' },
    ]);
  });

  it("the default ('merge') keeps its documented behaviour, and leaves out only entries that cannot be modules", () => {
    const skipped: SkippedModule[] = [];
    const merged = mergeConfigs(
      base,
      {
        modules: [
          { name: 'db', type: 'cockroach' },
          { name: 'new', type: 'cache' },
          untyped({ name: 'untyped' }),
        ],
      },
      { onSkip: (s) => skipped.push(s) },
    );
    expect(merged.modules.map((m) => [m.name, m.type])).toEqual([
      ['http', 'http.server'],
      ['db', 'cockroach'],
      ['new', 'cache'],
    ]);
    expect(skipped).toEqual([{ name: 'untyped', reason: 'missing' }]);
  });
});

describe('literalKey: a literal value in a merge patch', () => {
  const opts = { literalKey: '$literal' };

  it('`{ $literal: null }` sets null instead of deleting; other nulls still delete', () => {
    expect(
      mergePatch(
        { a: 1, b: 2, c: { d: 3 } },
        { a: { $literal: null }, b: null, c: { d: { $literal: null } } },
        opts,
      ),
    ).toEqual({
      a: null,
      c: { d: null },
    });
  });

  it('the wrapped value is taken as is: never merged, nothing inside it unwrapped or deleted', () => {
    const value = { keep: null, inner: { $literal: 1 } };
    expect(mergePatch({ a: { old: true } }, { a: { $literal: value } }, opts)).toEqual({ a: value });
  });

  it('an object with the key and others is an ordinary object; without the option the key means nothing', () => {
    expect(mergePatch({}, { a: { $literal: 1, b: 2 } }, opts)).toEqual({ a: { $literal: 1, b: 2 } });
    expect(mergePatch({}, { a: { $literal: null } })).toEqual({ a: {} });
  });

  it('applies in module configs and sections of mergeConfigs', () => {
    const merged = mergeConfigs(
      { modules: [{ name: 'm', type: 't', config: { a: 1 } }], section: { x: 1 } },
      {
        modules: [{ name: 'm', type: 't', config: { a: { $literal: null } } }],
        section: { x: { $literal: null } },
      },
      opts,
    );
    expect(merged).toEqual({
      modules: [{ name: 'm', type: 't', config: { a: null } }],
      section: { x: null },
    });
  });
});

describe('mergePatch (RFC 7386 examples)', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(cases)('%j + %j = %j', (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });
});
