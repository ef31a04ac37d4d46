import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ModuleRegistry } from '../../src/engine/registry.js';
import { validateAppConfig } from '../../src/engine/validate.js';
import { sampleConfig, withModuleConfig } from '../helpers/configs.js';

const registry = new ModuleRegistry();
const issuesOf = (config: Parameters<typeof validateAppConfig>[0]) => {
  const outcome = validateAppConfig(config, registry);
  return outcome.ok ? [] : outcome.issues;
};

describe('validateAppConfig', () => {
  it('accepts the sample config and orders modules after their dependencies', () => {
    const outcome = validateAppConfig(sampleConfig(), registry);
    expect(outcome.ok).toBe(true);
    const order = outcome.ok ? outcome.modules.map((m) => m.module.name) : [];
    expect(order.indexOf('welcome')).toBeGreaterThan(order.indexOf('greeter'));
    expect(order.indexOf('welcome')).toBeGreaterThan(order.indexOf('flags'));
  });

  it('names the module and key of a schema violation', () => {
    const issues = issuesOf(withModuleConfig(sampleConfig(), 'limiter', { rps: -1 }));
    expect(issues).toEqual([
      { path: 'modules.limiter.config.rps', message: expect.stringContaining('at least 1/86400') },
    ]);
  });

  it('rejects unknown keys, so a typo never passes silently', () => {
    const issues = issuesOf(withModuleConfig(sampleConfig(), 'greeter', { mesage: 'hi' }));
    expect(issues.map((i) => i.path)).toContain('modules.greeter.config');
    expect(issues.map((i) => i.message).join()).toMatch(/mesage/);
  });

  it('rejects unknown types and lists the known ones', () => {
    const issues = issuesOf({ modules: [{ name: 'x', type: 'nope' }] });
    expect(issues).toEqual([
      { path: 'modules.x.type', message: expect.stringContaining('greeter, rate-limiter') },
    ]);
  });

  it('rejects names that could not be used in a URL', () => {
    const issues = issuesOf({ modules: [{ name: 'a b', type: 'greeter', config: { message: 'hi' } }] });
    expect(issues[0]?.path).toBe('modules.a b');
  });

  it('checks dependsOn: missing targets, self, needed types, cycles', () => {
    const base = sampleConfig().modules;
    const greeter = base[0]!;
    expect(issuesOf({ modules: [{ name: 'w', type: 'welcome', dependsOn: ['ghost'] }] })).toEqual(
      expect.arrayContaining([
        { path: 'modules.w.dependsOn', message: 'depends on "ghost", which is not a module here' },
        { path: 'modules.w.dependsOn', message: 'needs a "greeter" module among dependsOn' },
      ]),
    );
    expect(issuesOf({ modules: [{ ...greeter, dependsOn: ['greeter'] }] })[0]?.message).toMatch(/itself/);
    const cycle = issuesOf({
      modules: [
        { name: 'a', type: 'greeter', config: { message: 'a' }, dependsOn: ['b'] },
        { name: 'b', type: 'greeter', config: { message: 'b' }, dependsOn: ['a'] },
      ],
    });
    expect(cycle.some((i) => i.message.startsWith('dependency cycle: a → b → a'))).toBe(true);
  });

  it('refuses two modules on one route', () => {
    const issues = issuesOf({
      modules: [
        { name: 'one', type: 'static-response', config: { path: '/x', body: 'a' } },
        { name: 'two', type: 'static-response', config: { path: '/x', body: 'b' } },
      ],
    });
    expect(issues).toEqual([{ path: 'modules.two', message: '/x is already served by "one"' }]);
  });
});

describe('module names', () => {
  const named = (name: string) => ({ modules: [{ name, type: 'greeter', config: { message: 'hi' } }] });

  it('are 1-200 characters from A-Z a-z 0-9 . _ / -, checked by the engine itself', () => {
    expect(issuesOf(named('a.b_c/d-0'))).toEqual([]);
    expect(issuesOf(named('x'.repeat(200)))).toEqual([]);
    for (const bad of ['x'.repeat(201), 'has space', 'ünï', 'a?b']) {
      expect(issuesOf(named(bad))).toEqual([
        { path: `modules.${bad}`, message: 'module names are 1-200 characters from A-Z a-z 0-9 . _ / -' },
      ]);
    }
  });

  it('tie file mode to no database package: the engine imports nothing from @cfg/pg-store', async () => {
    const dir = new URL('../../src/engine/', import.meta.url);
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      expect(await readFile(new URL(file, dir), 'utf8'), file).not.toMatch(/from '@cfg\/pg-store/);
    }
  });
});
