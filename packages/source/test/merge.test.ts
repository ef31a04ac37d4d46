import { describe, expect, it } from 'vitest';
import { type AppConfig, mergeConfigs, mergePatch } from '../src/index.js';

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
