import type { ModuleConfig } from '@cfg/source';
import { describe, expect, it } from 'vitest';
import { dependencyOrder } from '../src/dependency-order.js';
import { mod } from './helpers.js';

const changes = (modules: ModuleConfig[], names: string[]) =>
  names.map((name) => ({ name, next: modules.find((m) => m.name === name)! }));

function order(modules: ModuleConfig[], changed: string[]) {
  const result = dependencyOrder(changes(modules, changed), modules);
  return result.ok ? result.order.map((c) => c.name) : result.cycle;
}

describe('dependencyOrder', () => {
  it('keeps the given order when nothing depends on anything', () => {
    const modules = [mod('c'), mod('a'), mod('b')];
    expect(order(modules, ['c', 'a', 'b'])).toEqual(['c', 'a', 'b']);
  });

  it('moves dependencies just ahead of the first module that needs them, and keeps the rest in order', () => {
    const modules = [
      mod('api', {}, { dependsOn: ['cache', 'db'] }),
      mod('metrics'),
      mod('cache', {}, { dependsOn: ['db'] }),
      mod('db'),
    ];
    expect(order(modules, ['api', 'metrics', 'cache', 'db'])).toEqual(['db', 'cache', 'api', 'metrics']);
  });

  it('follows dependencies through unchanged modules', () => {
    const modules = [
      mod('api', {}, { dependsOn: ['pool'] }),
      mod('pool', {}, { dependsOn: ['db'] }),
      mod('db'),
    ];
    expect(order(modules, ['api', 'db'])).toEqual(['db', 'api']);
  });

  it('returns the path that closes a cycle, including a module depending on itself', () => {
    const modules = [
      mod('a', {}, { dependsOn: ['b'] }),
      mod('b', {}, { dependsOn: ['c'] }),
      mod('c', {}, { dependsOn: ['a'] }),
    ];
    expect(dependencyOrder(changes(modules, ['a']), modules)).toEqual({
      ok: false,
      cycle: ['a', 'b', 'c', 'a'],
    });
    const self = [mod('x', {}, { dependsOn: ['x'] })];
    expect(dependencyOrder(changes(self, ['x']), self)).toEqual({ ok: false, cycle: ['x', 'x'] });
  });

  it('with a memo: adds the names walked, and then takes one memoised module as its own order', () => {
    const modules = [mod('a', {}, { dependsOn: ['b'] }), mod('b', {}, { dependsOn: ['c'] }), mod('c')];
    const acyclic = new Set<string>();
    expect(dependencyOrder(changes(modules, ['a']), modules, acyclic)).toMatchObject({ ok: true });
    expect([...acyclic].sort()).toEqual(['a', 'b', 'c']);
    // The memo is the caller's word that the graph is the same: `a` is not walked again (a cycle
    // this list now has would otherwise be found).
    const cyclic = [mod('a', {}, { dependsOn: ['b'] }), mod('b', {}, { dependsOn: ['a'] })];
    expect(dependencyOrder(changes(cyclic, ['a']), cyclic, acyclic)).toEqual({
      ok: true,
      order: changes(cyclic, ['a']),
    });
    // Two changed modules are still walked (their order depends on the graph).
    expect(dependencyOrder(changes(cyclic, ['a', 'b']), cyclic, acyclic)).toMatchObject({ ok: false });
  });

  it('with a memo: a walk that finds a cycle adds nothing', () => {
    const modules = [mod('x', {}, { dependsOn: ['y'] }), mod('y', {}, { dependsOn: ['x'] }), mod('z')];
    const acyclic = new Set<string>();
    expect(dependencyOrder(changes(modules, ['x']), modules, acyclic)).toMatchObject({ ok: false });
    expect(acyclic.size).toBe(0);
  });

  it('ignores names that are not modules', () => {
    const modules = [mod('api', {}, { dependsOn: ['ghost'] }), mod('db')];
    expect(order(modules, ['api', 'db'])).toEqual(['api', 'db']);
  });

  it('walks a 20,000-module chain without overflowing the stack', () => {
    const modules = Array.from({ length: 20_000 }, (_, i) =>
      mod(`m${i}`, {}, i > 0 ? { dependsOn: [`m${i - 1}`] } : {}),
    );
    expect(order(modules, ['m19999', 'm0'])).toEqual(['m0', 'm19999']);
  });
});
