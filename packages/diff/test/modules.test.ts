import { describe, expect, it } from 'vitest';
import { DuplicateModuleError, diffModules } from '../src/index.js';
import { app, mod, reparsed } from './helpers.js';

describe('diffModules', () => {
  const api = mod('api', { config: { port: 8080, limits: { rps: 100 } }, dependsOn: ['db'] });
  const db = mod('db', { type: 'postgres', config: { url: 'postgres://x' } });

  it('reports nothing for an identical re-parsed config', () => {
    const before = app([api, db]);
    expect(diffModules(before, reparsed(before))).toEqual({
      added: [],
      removed: [],
      modified: [],
      unchanged: ['api', 'db'],
    });
  });

  it('reports an added module, in the order of the next config', () => {
    const cache = mod('cache', { type: 'redis' });
    const result = diffModules(app([api, db]), app([cache, api, db]));
    expect(result.added).toEqual([cache]);
    expect(result.unchanged).toEqual(['api', 'db']);
  });

  it('reports a removed module, in the order of the previous config', () => {
    const a = mod('a');
    const b = mod('b');
    const result = diffModules(app([b, api, a, db]), app([db, api]));
    expect(result.removed).toEqual([b, a]);
    expect(result.unchanged).toEqual(['db', 'api']);
    expect(result.added).toEqual([]);
  });

  it('reports one nested value with its JSON Pointer and both whole modules', () => {
    const next = mod('api', { config: { port: 8080, limits: { rps: 200 } }, dependsOn: ['db'] });
    const { modified } = diffModules(app([api, db]), app([next, db]));
    expect(modified).toEqual([
      {
        name: 'api',
        previous: api,
        next,
        typeChanged: false,
        dependsOnChanged: false,
        paths: [{ op: 'replace', path: '/config/limits/rps', previous: 100, next: 200 }],
      },
    ]);
  });

  it('flags a type change, with a /type path', () => {
    const next = { ...api, type: 'grpc' };
    const [change] = diffModules(app([api]), app([next])).modified;
    expect(change?.typeChanged).toBe(true);
    expect(change?.dependsOnChanged).toBe(false);
    expect(change?.paths).toEqual([{ op: 'replace', path: '/type', previous: 'http', next: 'grpc' }]);
  });

  it('flags a dependsOn change, with the names that left and joined the set', () => {
    const next = { ...api, dependsOn: ['cache', 'db', 'queue'] };
    const [change] = diffModules(app([api]), app([next])).modified;
    expect(change?.dependsOnChanged).toBe(true);
    expect(change?.typeChanged).toBe(false);
    expect(change?.paths).toEqual([
      { op: 'add', path: '/dependsOn/0', next: 'cache' },
      { op: 'add', path: '/dependsOn/2', next: 'queue' },
    ]);
    const [dropped] = diffModules(app([next]), app([{ ...api, dependsOn: ['queue'] }])).modified;
    expect(dropped?.paths).toEqual([
      { op: 'remove', path: '/dependsOn/0', previous: 'cache' },
      { op: 'remove', path: '/dependsOn/1', previous: 'db' },
    ]);
  });

  it('treats dependsOn as a set: reordering it, or missing vs [], is no change', () => {
    const two = mod('x', { dependsOn: ['a', 'b'] });
    expect(diffModules(app([two]), app([{ ...two, dependsOn: ['b', 'a'] }])).unchanged).toEqual(['x']);
    expect(diffModules(app([mod('x')]), app([mod('x', { dependsOn: [] })])).unchanged).toEqual(['x']);
  });

  it('treats a missing, null or {} config as the same empty config', () => {
    const bare = mod('x');
    const empty = mod('x', { config: {} });
    const nulled = { ...bare, config: null } as unknown as typeof bare;
    expect(diffModules(app([bare]), app([empty])).unchanged).toEqual(['x']);
    expect(diffModules(app([nulled]), app([empty])).unchanged).toEqual(['x']);
    const [change] = diffModules(app([bare]), app([mod('x', { config: { a: 1 } })])).modified;
    expect(change?.paths).toEqual([{ op: 'add', path: '/config/a', next: 1 }]);
  });

  it('ignores reordered modules with identical content', () => {
    const before = app([api, db, mod('c')]);
    const after = app(reparsed([mod('c'), db, api]));
    expect(diffModules(before, after)).toEqual({
      added: [],
      removed: [],
      modified: [],
      unchanged: ['c', 'db', 'api'],
    });
  });

  it('ignores key order and undefined members', () => {
    const before = mod('x', { config: { a: 1, b: { c: 2, d: 3 } } });
    const after = { config: { b: { d: 3, c: 2, e: undefined }, a: 1 }, type: 'http', name: 'x' };
    expect(diffModules(app([before]), app([after])).unchanged).toEqual(['x']);
  });

  it('compares members other than type, config and dependsOn too', () => {
    const before = { ...mod('x'), branches: ['main'] };
    const after = { ...mod('x'), branches: ['dev'] };
    const [change] = diffModules(app([before]), app([after])).modified;
    expect(change?.paths).toEqual([{ op: 'replace', path: '/branches/0', previous: 'main', next: 'dev' }]);
  });

  it('sees added and removed keys that share a name with Object.prototype members', () => {
    const before = mod('x', { config: {} });
    const after = mod('x', { config: { toString: 'yes', valueOf: 1, hasOwnProperty: true } });
    const [change] = diffModules(app([before]), app([after])).modified;
    expect(change?.paths.map((p) => p.path)).toEqual([
      '/config/toString',
      '/config/valueOf',
      '/config/hasOwnProperty',
    ]);
    const [back] = diffModules(app([after]), app([before])).modified;
    expect(back?.paths.map((p) => p.op)).toEqual(['remove', 'remove', 'remove']);
  });

  it('throws a DuplicateModuleError naming the module and the side', () => {
    const twice = app([mod('a'), mod('b'), mod('a')]);
    expect(() => diffModules(twice, app([]))).toThrow(DuplicateModuleError);
    expect(() => diffModules(app([]), twice)).toThrow(
      expect.objectContaining({ code: 'CFG_DUPLICATE_MODULE', moduleName: 'a', side: 'next' }),
    );
  });

  it('same names in the same places (the in-place pass): the side with a repeated name is still named', () => {
    const twice = app([mod('a'), mod('b'), mod('a')]);
    const twiceAgain = app([mod('a'), mod('b', { config: { x: 1 } }), mod('a')]);
    expect(() => diffModules(twice, twiceAgain)).toThrow(
      expect.objectContaining({ moduleName: 'a', side: 'previous' }),
    );
    const once = app([mod('a'), mod('b'), mod('c')]);
    expect(() => diffModules(once, app([mod('a'), mod('b'), mod('a')]))).toThrow(
      expect.objectContaining({ moduleName: 'a', side: 'next' }),
    );
  });

  it('same names in the same places: shared objects unchanged, the one edited modified, in order', () => {
    const modules = Array.from({ length: 50 }, (_, i) => mod(`m${i}`, { config: { n: i } }));
    const edited = modules.map((m, i) => (i === 20 ? { ...m, config: { n: -1 } } : m));
    const diff = diffModules(app(modules), app(edited));
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.unchanged).toEqual(modules.filter((_, i) => i !== 20).map((m) => m.name));
    expect(diff.modified.map((c) => [c.name, c.paths])).toEqual([
      ['m20', [{ op: 'replace', path: '/config/n', previous: 20, next: -1 }]],
    ]);
    // The same lists with one module swapped for another name: matched by name, not by place.
    const renamed = app(modules.map((m, i) => (i === 20 ? { ...m, name: 'new' } : m)));
    const byName = diffModules(app(modules), renamed);
    expect(byName.added.map((m) => m.name)).toEqual(['new']);
    expect(byName.removed.map((m) => m.name)).toEqual(['m20']);
  });

  it('does not modify its inputs', () => {
    const before = app([api, db]);
    const after = app([{ ...api, type: 'grpc' }]);
    const copies = reparsed([before, after]);
    diffModules(before, after);
    expect([before, after]).toEqual(copies);
  });
});
