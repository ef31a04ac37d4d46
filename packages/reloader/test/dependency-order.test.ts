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
