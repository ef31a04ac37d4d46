import { describe, expect, it } from 'vitest';
import { formatConfigDiff, formatPathChange } from '../src/index.js';

describe('formatPathChange', () => {
  it('prints one line per op, values as JSON', () => {
    expect([
      formatPathChange({ op: 'add', path: '/dependsOn/1', next: 'db' }),
      formatPathChange({ op: 'remove', path: '/config/tls', previous: { cert: 'a.pem' } }),
      formatPathChange({ op: 'replace', path: '/config/limits/rps', previous: 100, next: 200 }),
      formatPathChange({ op: 'replace', path: '', previous: { name: 'x' }, next: { name: 'x', a: 1 } }),
    ]).toMatchInlineSnapshot(`
      [
        "add /dependsOn/1: "db"",
        "remove /config/tls: {"cert":"a.pem"}",
        "replace /config/limits/rps: 100 -> 200",
        "replace (module): {"name":"x"} -> {"name":"x","a":1}",
      ]
    `);
  });

  it('cuts long values at maxValueLength (default 60)', () => {
    const long = 'x'.repeat(100);
    const line = formatPathChange({ op: 'add', path: '/a', next: long });
    expect(line).toBe(`add /a: "${'x'.repeat(58)}…`);
    expect(formatPathChange({ op: 'add', path: '/a', next: long }, { maxValueLength: 5 })).toBe(
      'add /a: "xxx…',
    );
  });

  it('stays on one line for multi-line strings and keys', () => {
    const line = formatPathChange({ op: 'replace', path: '/config/a\nb', previous: 'x\ny', next: 'z' });
    expect(line).toBe('replace "/config/a\\nb": "x\\ny" -> "z"');
    expect(line).not.toContain('\n');
  });

  it('prints values that are not JSON', () => {
    expect(formatPathChange({ op: 'add', path: '/n', next: 10n })).toBe('add /n: 10');
    expect(formatPathChange({ op: 'add', path: '/u', next: undefined })).toBe('add /u: undefined');
  });
});

describe('formatConfigDiff', () => {
  it('prints nothing for an empty diff', () => {
    const empty = { modules: { added: [], removed: [], modified: [], unchanged: ['a'] }, sections: [] };
    expect(formatConfigDiff({ ...empty, isEmpty: true })).toEqual([]);
  });

  it('still names a modified module that has no path lines', () => {
    const api = { name: 'api', type: 'http', config: { at: new Date(0) } };
    const change = {
      name: 'api',
      previous: api,
      next: api,
      typeChanged: false,
      dependsOnChanged: false,
      paths: [],
    };
    const diff = { modules: { added: [], removed: [], modified: [change], unchanged: [] }, sections: [] };
    expect(formatConfigDiff({ ...diff, isEmpty: false })).toEqual(['~ module api']);
  });
});
