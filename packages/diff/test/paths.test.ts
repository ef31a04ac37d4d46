import type { ModuleConfig } from '@cfg/source';
import { describe, expect, it } from 'vitest';
import { diffModules, type PathChange } from '../src/index.js';
import { app, applyPaths, mod, prng, reparsed } from './helpers.js';

function pathsOf(before: ModuleConfig, after: ModuleConfig): PathChange[] {
  return diffModules(app([before]), app([after])).modified[0]?.paths ?? [];
}

describe('module paths', () => {
  it('escapes ~ and / in keys as RFC 6901 requires (~0, ~1), ~ first', () => {
    const before = mod('x', { config: { 'a/b': { '~c': 1, '~1': 2, '': 3 } } });
    const after = mod('x', { config: { 'a/b': { '~c': 9, '~1': 8, '': 7 } } });
    expect(pathsOf(before, after).map((p) => p.path)).toEqual([
      '/config/a~1b/~0c',
      '/config/a~1b/~01',
      '/config/a~1b/',
    ]);
  });

  it('uses array indexes: replaced, appended and dropped items', () => {
    const before = mod('x', { config: { hosts: ['a', 'b', 'c'], ports: [1] } });
    const after = mod('x', { config: { hosts: ['a', 'B'], ports: [1, 2, 3] } });
    expect(pathsOf(before, after)).toEqual([
      { op: 'replace', path: '/config/hosts/1', previous: 'b', next: 'B' },
      { op: 'remove', path: '/config/hosts/2', previous: 'c' },
      { op: 'add', path: '/config/ports/1', next: 2 },
      { op: 'add', path: '/config/ports/2', next: 3 },
    ]);
  });

  it('walks into objects inside arrays', () => {
    const before = mod('x', { config: { routes: [{ path: '/a', rps: 1 }] } });
    const after = mod('x', { config: { routes: [{ path: '/a', rps: 2 }] } });
    expect(pathsOf(before, after)).toEqual([
      { op: 'replace', path: '/config/routes/0/rps', previous: 1, next: 2 },
    ]);
  });

  it('replaces a value whose kind changed (object to array, object to scalar) as a whole', () => {
    const before = mod('x', { config: { a: { b: 1 }, c: { d: 1 } } });
    const after = mod('x', { config: { a: [1], c: 'flat' } });
    expect(pathsOf(before, after)).toEqual([
      { op: 'replace', path: '/config/a', previous: { b: 1 }, next: [1] },
      { op: 'replace', path: '/config/c', previous: { d: 1 }, next: 'flat' },
    ]);
  });

  it("reports the caller's own objects as values, not copies", () => {
    const limits = { rps: 1 };
    const after = mod('x', { config: { limits } });
    const [change] = pathsOf(mod('x'), after);
    expect(change?.next).toBe(limits);
  });

  it('treats an undefined member as absent, as JSON does', () => {
    const before = mod('x', { config: { a: undefined, b: 1 } });
    const after = mod('x', { config: { a: 1, b: 2 } });
    expect(pathsOf(before, after)).toEqual([
      { op: 'replace', path: '/config/b', previous: 1, next: 2 },
      { op: 'add', path: '/config/a', next: 1 },
    ]);
  });

  describe('keys that could pollute prototypes', () => {
    it('never emits __proto__ in a path: the nearest safe ancestor is replaced instead', () => {
      const before = JSON.parse('{"name":"x","type":"t","config":{"safe":{"__proto__":{"admin":false}}}}');
      const after = JSON.parse('{"name":"x","type":"t","config":{"safe":{"__proto__":{"admin":true}}}}');
      const paths = pathsOf(before, after);
      expect(paths).toEqual([
        { op: 'replace', path: '/config/safe', previous: before.config.safe, next: after.config.safe },
      ]);
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });

    it('collapses constructor/prototype too, and drops other paths under the replaced ancestor', () => {
      const before = mod('x', { config: { a: { constructor: { prototype: 1 }, b: 1 }, c: 1 } });
      const after = mod('x', { config: { a: { constructor: { prototype: 2 }, b: 2 }, c: 2 } });
      expect(pathsOf(before, after).map((p) => `${p.op} ${p.path}`)).toEqual([
        'replace /config/a',
        'replace /config/c',
      ]);
    });

    it('replaces the whole module (path "") when the unsafe key is at its top level', () => {
      const before = JSON.parse('{"name":"x","type":"t","__proto__":1}');
      const after = JSON.parse('{"name":"x","type":"t","__proto__":2}');
      expect(pathsOf(before, after)).toEqual([{ op: 'replace', path: '', previous: before, next: after }]);
    });
  });

  it('paths applied to the previous module rebuild the next one (300 seeded random edits)', () => {
    const random = prng(20_240_601);
    const keys = ['a', 'b', 'a/b', '~', '', 'x~1', 'toString', 'constructor', '__proto__'];
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const value = (depth: number): unknown => {
      const roll = random();
      if (depth > 2 || roll < 0.4) return pick([0, 1, 'v', true, null, 2.5]);
      if (roll < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      const object: Record<string, unknown> = {};
      for (let i = Math.floor(random() * 4); i > 0; i--) {
        Object.defineProperty(object, pick(keys), {
          value: value(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return object;
    };
    let changed = 0;
    let unsafe = 0;
    for (let run = 0; run < 300; run++) {
      const before = { name: 'm', type: 't', config: reparsed({ root: value(0) }) } as ModuleConfig;
      const after = { name: 'm', type: 't', config: reparsed({ root: value(0) }) } as ModuleConfig;
      const paths = pathsOf(before, after);
      expect(paths.some((p) => /\/(__proto__|constructor|prototype)(\/|$)/.test(p.path))).toBe(false);
      expect(applyPaths(before, paths)).toEqual(reparsed(after));
      if (paths.length > 0) changed++;
      if (paths.length > 0 && /"(__proto__|constructor)"/.test(JSON.stringify([before, after]))) unsafe++;
    }
    // The seed must exercise real differences, including the collapsed unsafe keys.
    expect(changed).toBeGreaterThan(250);
    expect(unsafe).toBeGreaterThan(20);
  });
});
