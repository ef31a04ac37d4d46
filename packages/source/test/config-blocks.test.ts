import { describe, expect, it } from 'vitest';
import { splitConfigBlocks } from '../src/config-blocks.js';

const texts = (text: string) => splitConfigBlocks(text)?.map((b) => `${b.kind}|${b.text}`);

describe('splitConfigBlocks', () => {
  it('cuts at top-level keys and module items; comments and blank lines go with the block above', () => {
    const text = [
      '# preamble',
      '',
      'platform:',
      '  region: eu',
      '# about modules',
      'modules: # the list',
      '  # before the first item',
      '  - name: a',
      '    type: t',
      '',
      '  # about b',
      '  - name: b',
      '    type: t',
      '    config:',
      '      list:',
      '        - name: inner',
      '          type: t',
      'workflows: {}',
      'last: 1',
    ].join('\n');
    expect(texts(text)).toEqual([
      'section|platform:\n  region: eu\n# about modules\n',
      'module|  - name: a\n    type: t\n\n  # about b\n',
      'module|  - name: b\n    type: t\n    config:\n      list:\n        - name: inner\n          type: t\n',
      'section|workflows: {}\n',
      'section|last: 1',
    ]);
  });

  it('takes zero-indented lists: module items at column 0, and a section’s own list', () => {
    const text = 'modules:\n- name: a\n  type: t\n- name: b\n  type: t\nsteps:\n- one\n- two\n';
    expect(texts(text)).toEqual([
      'module|- name: a\n  type: t\n',
      'module|- name: b\n  type: t\n',
      'section|steps:\n- one\n- two\n',
    ]);
  });

  it('keeps a `modules` with a value on its line as one section (flow style, or empty)', () => {
    expect(texts('modules: []\nx: 1\n')).toEqual(['section|modules: []\n', 'section|x: 1\n']);
  });

  it.each([
    ['empty', ''],
    ['only comments', '# nothing\n\n'],
    ['JSON', '{"modules": []}'],
    ['a tab', 'modules:\n  - name: a\n    type:\tt\n'],
    ['CR line ends', 'modules:\r\n  - name: a\r\n'],
    ['a byte order mark', '\uFEFFmodules: []\n'],
    ['a line separator', 'a: x\u2028y\nmodules: []\n'],
    ['a directive', '%YAML 1.2\n---\nmodules: []\n'],
    ['a document start', '---\nmodules: []\n'],
    ['a document end', 'modules: []\n...\n'],
    ['an explicit key', '? modules\n: []\n'],
    ['a quoted top-level key', '"modules": []\n'],
    ['an anchor at the top level', '&a modules: []\n'],
    ['a flow top level', '{modules: []}\n'],
    ['an indented top level', '  modules: []\n'],
    ['`modules:` without items', 'modules:\nx: 1\n'],
    [
      'a second `modules:` header',
      'modules:\n  - name: a\n    type: t\nmodules:\n  - name: b\n    type: t\n',
    ],
    ['`modules:` as a mapping', 'modules:\n  a: 1\n'],
    ['a module item at another indentation', 'modules:\n  - name: a\n    type: t\n - name: b\n'],
    ['a line between the items’ column and column 0', 'modules:\n    - name: a\n  x: 1\n'],
    ['a non-item at the items’ column', 'modules:\n  - name: a\n  x: 1\n'],
    ['a list item at column 0 under an indented list', 'modules:\n  - name: a\n- name: b\n'],
  ])('leaves a text with %s to a full parse', (_, text) => {
    expect(splitConfigBlocks(text)).toBeUndefined();
  });

  it('does not read inside blocks: what only parses together fails to parse alone, later', () => {
    // An open quote runs into the next item; the splitter cuts anyway, and the first block alone is
    // not valid YAML, so the parser falls back to the whole text.
    expect(texts('modules:\n  - name: "a\n  - b"\n')).toEqual(['module|  - name: "a\n', 'module|  - b"\n']);
  });
});
