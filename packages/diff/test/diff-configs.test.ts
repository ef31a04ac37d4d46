import { describe, expect, it } from 'vitest';
import { diffConfigs, formatConfigDiff } from '../src/index.js';
import { app, bigConfig, mod, reparsed } from './helpers.js';

describe('diffConfigs', () => {
  it('is empty for the same content re-parsed', () => {
    const config = app([mod('api', { config: { a: [1, { b: 2 }] } })], { workflows: { w: 1 } });
    const result = diffConfigs(config, reparsed(config));
    expect(result.isEmpty).toBe(true);
    expect(result.sections).toEqual([]);
    expect(result.modules.unchanged).toEqual(['api']);
  });

  it('is not empty when only a section changed', () => {
    const result = diffConfigs(app([mod('api')]), app([mod('api')], { platform: { region: 'eu' } }));
    expect(result.isEmpty).toBe(false);
    expect(result.sections).toEqual(['platform']);
  });

  it('is empty when a section went from missing to {}', () => {
    expect(diffConfigs(app([]), app([], { triggers: {} })).isEmpty).toBe(true);
  });

  it('reports a mixed change: kept, modified, removed, added, retyped, rewired, sections', () => {
    const before = app(
      [
        mod('keep', { config: { a: 1 } }),
        mod('tune', { config: { limits: { rps: 100 } } }),
        mod('gone', { type: 'cron' }),
        mod('retype', { type: 'memory-cache' }),
        mod('rewire', { dependsOn: ['keep'] }),
      ],
      { workflows: { main: ['tune'] }, requires: ['x'] },
    );
    const after = app(
      [
        mod('new', { type: 'redis' }),
        mod('rewire', { dependsOn: ['keep', 'new'] }),
        mod('retype', { type: 'redis-cache' }),
        mod('tune', { config: { limits: { rps: 250 } } }),
        mod('keep', { config: { a: 1 } }),
      ],
      { workflows: { main: ['tune'] }, platform: { region: 'eu' } },
    );
    const result = diffConfigs(before, after);
    expect(result.isEmpty).toBe(false);
    expect(result.modules.unchanged).toEqual(['keep']);
    expect(result.modules.modified.map((m) => [m.name, m.typeChanged, m.dependsOnChanged])).toEqual([
      ['rewire', false, true],
      ['retype', true, false],
      ['tune', false, false],
    ]);
    expect(formatConfigDiff(result)).toMatchInlineSnapshot(`
      [
        "+ module new (redis)",
        "- module gone (cron)",
        "~ module rewire: add /dependsOn/1: "new"",
        "~ module retype: replace /type: "memory-cache" -> "redis-cache"",
        "~ module tune: replace /config/limits/rps: 100 -> 250",
        "~ section platform",
        "~ section requires",
      ]
    `);
  });

  it('finds the one changed module among 10,000, with the right path', () => {
    const before = bigConfig(10_000);
    const after = reparsed(before);
    const target = after.modules[6_543];
    if (target?.config === undefined) throw new Error('fixture has no module 6543');
    (target.config.limits as { rps: number }).rps = 101;

    const result = diffConfigs(before, after);
    expect(result.isEmpty).toBe(false);
    expect(result.sections).toEqual([]);
    expect(result.modules.added).toEqual([]);
    expect(result.modules.removed).toEqual([]);
    expect(result.modules.unchanged).toHaveLength(9_999);
    expect(result.modules.unchanged[6_543]).toBe('module-6544');
    expect(formatConfigDiff(result)).toEqual([
      '~ module module-6543: replace /config/limits/rps: 100 -> 101',
    ]);
  });

  it('keeps the next order for 10,000 shuffled modules and still reports no change', () => {
    const before = bigConfig(10_000);
    const after = reparsed(before);
    after.modules.reverse();
    const result = diffConfigs(before, after);
    expect(result.isEmpty).toBe(true);
    expect(result.modules.unchanged[0]).toBe('module-9999');
    expect(result.modules.unchanged.at(-1)).toBe('module-0');
  });
});
