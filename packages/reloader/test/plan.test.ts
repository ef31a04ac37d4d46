import { diffConfigs } from '@cfg/diff';
import type { AppConfig } from '@cfg/source';
import { describe, expect, it } from 'vitest';
import { planReload } from '../src/plan.js';
import { app, mod } from './helpers.js';

const BASE = app([mod('db', { pool: 5 }), mod('api', { port: 80 }, { dependsOn: ['db'] })], {
  workflows: { a: 1 },
});

function plan(next: AppConfig, canReconfigure: (name: string) => boolean = () => true) {
  return planReload(diffConfigs(BASE, next), next, canReconfigure);
}

const edit = (name: string, change: Record<string, unknown>): AppConfig => ({
  ...BASE,
  modules: BASE.modules.map((m) => (m.name === name ? { ...m, ...change } : m)),
});

describe('planReload', () => {
  it('is a noop when nothing differs', () => {
    expect(plan(structuredClone(BASE))).toEqual({ kind: 'noop', reason: 'no effective change' });
  });

  it('is partial, in dependency order, when only config of Reconfigurable modules changed', () => {
    const next = {
      ...BASE,
      modules: [
        { ...BASE.modules[1]!, config: { port: 81 } },
        { ...BASE.modules[0]!, config: { pool: 6 } },
      ],
    };
    const result = plan(next);
    expect(result.kind).toBe('partial');
    expect(result.reason).toBe('reconfigure in place: "db", "api"');
    expect(result.kind === 'partial' && result.modules.map((m) => m.name)).toEqual(['db', 'api']);
  });

  it('is full and names every cause', () => {
    const next = {
      ...BASE,
      secrets: { k: 1 },
      modules: [{ ...BASE.modules[0]!, type: 'pg' }, mod('queue')],
    };
    expect(plan(next)).toEqual({
      kind: 'full',
      reason:
        'section "secrets" changed; module "queue" added; module "api" removed; module "db" changed type (worker → pg)',
    });
  });

  it.each([
    [edit('api', { dependsOn: [] }), 'module "api" changed dependsOn'],
    [edit('db', { replicas: 2 }), 'module "db" changed /replicas (only config changes apply in place)'],
    [{ ...BASE, workflows: { a: 2 }, triggers: {} as unknown }, 'section "workflows" changed'],
  ])('is full for %j', (next, reason) => {
    expect(plan(next as AppConfig)).toEqual({ kind: 'full', reason });
  });

  it('is full when a changed module cannot be reconfigured in place', () => {
    expect(plan(edit('db', { config: { pool: 6 } }), (name) => name !== 'db')).toEqual({
      kind: 'full',
      reason: 'module "db" is not Reconfigurable',
    });
  });

  it('keeps a reason short when thousands of modules change', () => {
    const many = app(Array.from({ length: 1_000 }, (_, i) => mod(`m${i}`)));
    const result = planReload(diffConfigs(app([]), many), many, () => true);
    expect(result.reason).toBe('modules "m0", "m1", "m2", "m3", "m4" and 995 more added');
  });
});
