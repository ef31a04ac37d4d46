/**
 * Random config texts and random edits of them, for the `IncrementalParser` property suite: the
 * real example config, the bench fixture, and generated configs printed in many styles; edits that
 * merge, split, move, copy and re-indent lines and blocks, insert and delete modules and sections,
 * add comments, blank lines, hostile characters and YAML syntax that ties blocks together, break
 * the text and bring earlier texts back.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { stringify, type ToStringOptions } from 'yaml';
import { makeConfig } from '../../../bench/lib/fixtures.js';
import { MAX_NESTING } from '../src/index.js';

const EXAMPLE = readFileSync(new URL('../../../apps/server/examples/config.yaml', import.meta.url), 'utf8');

// ---------------------------------------------------------------------------------------------
// Configs

/** Strings that YAML must quote, fold or block, or that look like syntax when unquoted. */
const hostileString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '',
    ' ',
    '#',
    'a # b',
    'key: value',
    '- item',
    '"',
    "'",
    '&anchor',
    '*alias',
    '!tag',
    '|',
    '>',
    '---',
    '...',
    '%YAML',
    '? x',
    '[1, 2]',
    '{a: 1}',
    'null',
    'true',
    '0x1F',
    '1e3',
    'line one\nline two',
    'kept\n\n',
    '\n\nlead',
    ' spaced ',
    'tab\there',
    'é ü 😀',
    'a long line of words that the printer may fold over several lines when it is narrow',
  ),
);

const leafValue = fc.oneof(
  hostileString,
  fc.integer({ min: -1000, max: 100_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
  fc.boolean(),
  fc.constant(null),
);

const KEYS = ['port', 'limits', 'rps', 'name', 'type', 'tags', 'x', '1', 'on', 'a b', 'é'];

/** Nested config values, including lists of mappings that carry `name` and `type` keys. */
const configValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafValue,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 4 }),
    fc.record({ name: fc.string({ minLength: 1, maxLength: 4 }), type: fc.constant('nested') }),
  ),
})).value;

const moduleConfig = (i: number) =>
  fc.record(
    {
      name: fc.constant(`m${i}`),
      type: fc.constantFrom('http', 'worker', 'db'),
      config: fc.dictionary(fc.constantFrom(...KEYS), configValue, { maxKeys: 4 }),
      dependsOn: fc.array(fc.constantFrom('m0', 'm1', 'm2'), { maxLength: 2 }),
    },
    { requiredKeys: ['name', 'type'] },
  );

const SECTION_KEYS = ['platform', 'workflows', 'triggers', '$schema', 'x1', '__proto__'];

const generatedConfig = fc
  .tuple(
    fc
      .integer({ min: 0, max: 6 })
      .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => moduleConfig(i)))),
    fc.array(fc.tuple(fc.constantFrom(...SECTION_KEYS), configValue), { maxLength: 3 }),
    fc.nat({ max: 3 }),
  )
  .map(([modules, sections, modulesAt]) => {
    const config: Record<string, unknown> = {};
    const entries: [string, unknown][] = sections.filter(
      ([key], i) => sections.findIndex(([k]) => k === key) === i,
    );
    entries.splice(Math.min(modulesAt, entries.length), 0, ['modules', modules]);
    for (const [key, value] of entries) {
      Object.defineProperty(config, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return config;
  });

const printOptions: fc.Arbitrary<ToStringOptions> = fc.record({
  indent: fc.constantFrom(2, 2, 4, 3),
  indentSeq: fc.boolean(),
  lineWidth: fc.constantFrom(80, 80, 24, 0),
  minContentWidth: fc.constantFrom(20, 0),
  defaultStringType: fc.constantFrom(
    'PLAIN',
    'PLAIN',
    'QUOTE_DOUBLE',
    'QUOTE_SINGLE',
    'BLOCK_LITERAL',
    'BLOCK_FOLDED',
  ),
  defaultKeyType: fc.constantFrom('PLAIN', 'PLAIN', 'PLAIN', null),
  collectionStyle: fc.constantFrom('block', 'block', 'block', 'any', 'flow'),
});

/** The real example, the bench fixture at a few sizes, and random configs printed in many styles. */
export const baseText = fc.oneof(
  fc.constant(EXAMPLE),
  fc.tuple(fc.integer({ min: 1, max: 12 }), printOptions).map(([n, opts]) => stringify(makeConfig(n), opts)),
  fc.tuple(generatedConfig, printOptions).map(([config, opts]) => stringify(config, opts)),
);

// ---------------------------------------------------------------------------------------------
// Edits

/** Nesting `levels` deep below a module's `config:` (the module's mapping is level 3). */
const deepModule = (indent: string, total: number) => {
  const brackets = total - 4;
  return `${indent}- name: deep${total}\n${indent}  type: t\n${indent}  config:\n${indent}    x: ${'['.repeat(brackets)}${']'.repeat(brackets)}`;
};

/** Whole lines to insert: valid blocks, blocks that clash with others, and syntax that couples them. */
const SNIPPETS = [
  '# a comment',
  '   # an indented comment',
  '      # a deep comment',
  '',
  '   ',
  'extra: 1',
  'platform: { region: eu }',
  'platform: again',
  'modules:',
  'modules: []',
  'modules: # the list',
  '  - name: added\n    type: t',
  '- name: added0\n  type: t',
  '    - name: added4\n      type: t',
  '  - name: m0\n    type: clash',
  '  - name: greeter\n    type: clash',
  '  - name: module-0\n    type: clash',
  '  - name: kept\n    type: t\n    config:\n      s: |+\n        kept\n\n',
  '- name: kept0\n  type: t\n  config:\n    s: |+\n      kept\n\n',
  'text: |+\n  line\n\n',
  'folded: >-\n  one\n  two',
  'plain: multi\n  line scalar',
  '  - name: nested\n    type: t\n    config:\n      list:\n        - name: inner\n          type: t',
  '    - name: inner\n      type: t',
  '  - &a { name: anchored, type: t }',
  '  - *a',
  'anchor: &x { k: 1 }',
  'alias: *x',
  '  - name: aliased\n    type: t\n    config: *x',
  'tagged: !!str 1',
  'custom: !custom 1',
  '---',
  '...',
  '%YAML 1.2',
  '? complex',
  '{',
  '"quoted": 1',
  'open: "unterminated',
  "open: 'single",
  'flow: [1,',
  '  ]',
  '\ttab: 1',
  'cr: 1\r',
  '\uFEFFbom: 1',
  '__proto__: { polluted: 1 }',
  'constructor: 1',
  '1: one',
  '01: also one',
  'null: nothing',
  '$schema: x',
  '  stray: 1',
  '-',
  '  -',
  `deep: ${'['.repeat(MAX_NESTING - 1)}${']'.repeat(MAX_NESTING - 1)}`,
  `deeper: ${'['.repeat(MAX_NESTING)}${']'.repeat(MAX_NESTING)}`,
  deepModule('  ', MAX_NESTING),
  deepModule('  ', MAX_NESTING + 1),
  deepModule('', MAX_NESTING),
  deepModule('', MAX_NESTING + 1),
  deepModule('    ', MAX_NESTING),
  deepModule('    ', MAX_NESTING + 1),
];

/** Characters and fragments to insert anywhere, mid-line included. */
const FRAGMENTS = [
  '"',
  "'",
  '#',
  ' #',
  ': ',
  ':',
  '- ',
  '\n',
  '\n  ',
  '\n- ',
  '\n  - ',
  '\nkey: ',
  '&a ',
  '*a',
  '!',
  '[',
  ']',
  '{',
  '}',
  ',',
  '|',
  '>',
  '\t',
  '\r',
  '\uFEFF',
  '\u2028',
  '\u0085',
  'é',
  '😀',
  ' ',
  '  ',
  'x',
  '0',
  '~',
];

export type Edit =
  | { op: 'insert-lines'; at: number; snippet: string }
  | { op: 'insert-chars'; at: number; fragment: string }
  | { op: 'delete-lines'; at: number; count: number }
  | { op: 'delete-chars'; at: number; count: number }
  | { op: 'move-lines' | 'copy-lines'; at: number; count: number; to: number }
  | { op: 'indent-lines'; at: number; count: number; by: number }
  | { op: 'join-lines'; at: number }
  | { op: 'set-value'; at: number; value: string }
  | { op: 'swap-items'; at: number; other: number }
  | { op: 'drop-item' | 'copy-item'; at: number }
  | { op: 'revert'; back: number };

const scalarText = fc.oneof(
  fc.integer({ min: 0, max: 10_000 }).map(String),
  fc.constantFrom(
    'true',
    'null',
    '"quoted # not a comment"',
    "'it''s'",
    'plain words',
    '[1, 2]',
    '{ a: 1 }',
    '|\n      block',
  ),
  hostileString.map((s) => JSON.stringify(s)),
);

const edit: fc.Arbitrary<Edit> = fc.oneof(
  {
    arbitrary: fc.record({ op: fc.constant('set-value' as const), at: fc.nat(), value: scalarText }),
    weight: 12,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('insert-lines' as const),
      at: fc.nat(),
      snippet: fc.constantFrom(...SNIPPETS),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('insert-chars' as const),
      at: fc.nat(),
      fragment: fc.constantFrom(...FRAGMENTS),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('delete-lines' as const),
      at: fc.nat(),
      count: fc.integer({ min: 1, max: 4 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('delete-chars' as const),
      at: fc.nat(),
      count: fc.integer({ min: 1, max: 6 }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      op: fc.constantFrom('move-lines' as const, 'copy-lines' as const),
      at: fc.nat(),
      count: fc.integer({ min: 1, max: 6 }),
      to: fc.nat(),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('indent-lines' as const),
      at: fc.nat(),
      count: fc.integer({ min: 1, max: 8 }),
      by: fc.constantFrom(-2, -1, 1, 2),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ op: fc.constant('join-lines' as const), at: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({ op: fc.constant('swap-items' as const), at: fc.nat(), other: fc.nat() }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ op: fc.constantFrom('drop-item' as const, 'copy-item' as const), at: fc.nat() }),
    weight: 2,
  },
  { arbitrary: fc.record({ op: fc.constant('revert' as const), back: fc.nat() }), weight: 3 },
);

/** An edit, and whether a text it breaks is fixed (put back as it was) before the next one. */
export const step = fc.record({ edit, fix: fc.boolean() });
export type Step = { edit: Edit; fix: boolean };

export function applyEdit(text: string, e: Edit, history: readonly string[]): string {
  const lines = text.split('\n');
  const line = (at: number) => at % lines.length;
  switch (e.op) {
    case 'insert-lines':
      lines.splice(line(e.at), 0, e.snippet);
      return lines.join('\n');
    case 'insert-chars': {
      const at = e.at % (text.length + 1);
      return text.slice(0, at) + e.fragment + text.slice(at);
    }
    case 'delete-lines':
      lines.splice(line(e.at), e.count);
      return lines.join('\n');
    case 'delete-chars': {
      const at = e.at % (text.length + 1);
      return text.slice(0, at) + text.slice(at + e.count);
    }
    case 'move-lines':
    case 'copy-lines': {
      const taken =
        e.op === 'move-lines'
          ? lines.splice(line(e.at), e.count)
          : lines.slice(line(e.at), line(e.at) + e.count);
      lines.splice(e.to % (lines.length + 1), 0, ...taken);
      return lines.join('\n');
    }
    case 'indent-lines': {
      const from = line(e.at);
      for (let i = from; i < Math.min(lines.length, from + e.count); i++) {
        const l = lines[i]!;
        lines[i] = e.by > 0 ? ' '.repeat(e.by) + l : l.replace(new RegExp(`^ {0,${-e.by}}`), '');
      }
      return lines.join('\n');
    }
    case 'join-lines': {
      const breaks = [...text.matchAll(/\n/g)].map((m) => m.index);
      if (breaks.length === 0) return text;
      const at = breaks[e.at % breaks.length]!;
      return text.slice(0, at) + text.slice(at + 1);
    }
    case 'set-value': {
      // A one-line scalar value (not a block scalar or a multi-line one): most such edits stay valid.
      const candidates = lines.flatMap((l, i) =>
        SIMPLE_VALUE.test(l) && _indent(lines[i + 1] ?? '') <= _indent(l) ? [i] : [],
      );
      if (candidates.length === 0) return text;
      const i = candidates[e.at % candidates.length]!;
      lines[i] = lines[i]!.replace(SIMPLE_VALUE, (_, head: string) => head + e.value);
      return lines.join('\n');
    }
    case 'swap-items':
    case 'drop-item':
    case 'copy-item': {
      const items = _itemRanges(lines);
      if (items.length === 0) return text;
      const [a0, a1] = items[e.at % items.length]!;
      if (e.op === 'drop-item') lines.splice(a0, a1 - a0);
      else if (e.op === 'copy-item') {
        // Renamed when it has a `name:` line, so that most copies are new modules, not clashes.
        const copy = lines.slice(a0, a1).map((l) => l.replace(/^(\s*(?:- )?name: ).*$/, `$1copy${e.at}`));
        lines.splice(a1, 0, ...copy);
      } else if (e.op === 'swap-items') {
        const [b0, b1] = items[e.other % items.length]!;
        if (b0 === a0) return text;
        const [first, second] =
          a0 < b0
            ? [
                [a0, a1],
                [b0, b1],
              ]
            : [
                [b0, b1],
                [a0, a1],
              ];
        const firstLines = lines.slice(first[0], first[1]);
        const secondLines = lines.slice(second[0], second[1]);
        lines.splice(second[0]!, second[1]! - second[0]!, ...firstLines);
        lines.splice(first[0]!, first[1]! - first[0]!, ...secondLines);
      }
      return lines.join('\n');
    }
    case 'revert':
      return history[history.length - 1 - (e.back % history.length)]!;
  }
}

/** `key: value` on one line, the value plain or quoted on that line; group 1 is up to the value. */
const SIMPLE_VALUE = /^(\s*(?:- )?[\w$]+: )(?![|>&*![{#]).+$/;

function _indent(line: string): number {
  return line.trim() === '' ? 0 : /^ */.exec(line)![0].length;
}

/** Line ranges `[start, end)` of list items, at whatever indentation they start. */
function _itemRanges(lines: readonly string[]): [number, number][] {
  const ranges: [number, number][] = [];
  lines.forEach((l, i) => {
    const m = /^( *)- /.exec(l);
    if (!m) return;
    const indent = m[1]!.length;
    let end = i + 1;
    while (end < lines.length && (lines[end]!.trim() === '' || /^ */.exec(lines[end]!)![0].length > indent))
      end++;
    ranges.push([i, end]);
  });
  return ranges;
}

// ---------------------------------------------------------------------------------------------
