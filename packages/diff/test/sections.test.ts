import { describe, expect, it } from 'vitest';
import { changedSections } from '../src/index.js';
import { app, mod } from './helpers.js';

describe('changedSections', () => {
  const modules = [mod('api')];

  it('is empty when every section is deeply equal, whatever the key order', () => {
    const before = app(modules, { workflows: { a: { steps: [1, 2] } }, platform: { region: 'eu', zone: 1 } });
    const after = app(modules, { platform: { zone: 1, region: 'eu' }, workflows: { a: { steps: [1, 2] } } });
    expect(changedSections(before, after)).toEqual([]);
  });

  it('never reports modules, even when they change', () => {
    expect(changedSections(app(modules), app([mod('other')]))).toEqual([]);
  });

  it('reports added, removed and changed sections, sorted', () => {
    const before = app(modules, { workflows: { a: 1 }, triggers: { t: 'cron' }, zeta: true });
    const after = app(modules, { zeta: true, workflows: { a: 2 }, requires: ['x'], alpha: 'new' });
    expect(changedSections(before, after)).toEqual(['alpha', 'requires', 'triggers', 'workflows']);
  });

  it('reports any unknown top-level key: there is no list of known sections', () => {
    expect(changedSections(app(modules, { secrets: { k: 1 } }), app(modules, { secrets: { k: 2 } }))).toEqual(
      ['secrets'],
    );
  });

  it('treats a missing section, undefined, null and {} as the same empty section', () => {
    const variants = [app(modules), app(modules, { pipelines: {} }), app(modules, { pipelines: null })];
    variants.push(app(modules, { pipelines: undefined }));
    for (const before of variants) {
      for (const after of variants) expect(changedSections(before, after)).toEqual([]);
    }
  });

  it('does not treat [] or other falsy values as empty', () => {
    expect(changedSections(app(modules), app(modules, { requires: [] }))).toEqual(['requires']);
    expect(changedSections(app(modules, { flag: false }), app(modules))).toEqual(['flag']);
    expect(changedSections(app(modules, { count: 0 }), app(modules, { count: null }))).toEqual(['count']);
  });

  it('reports array order changes inside a section', () => {
    expect(
      changedSections(app(modules, { requires: ['a', 'b'] }), app(modules, { requires: ['b', 'a'] })),
    ).toEqual(['requires']);
  });

  it('reads only own keys: a section named like an Object.prototype member is an ordinary section', () => {
    const after = JSON.parse('{"modules":[],"__proto__":{"x":1},"constructor":2}');
    expect(changedSections(app([]), after)).toEqual(['__proto__', 'constructor']);
    expect(changedSections(after, app([]))).toEqual(['__proto__', 'constructor']);
  });
});
