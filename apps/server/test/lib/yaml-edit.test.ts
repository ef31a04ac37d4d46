import { readFileSync } from 'node:fs';
import { parseConfig } from '@cfg/source';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ModuleNotInDocumentError, openConfigText, setModuleConfig } from '../../src/lib/yaml-edit.js';

const FIXTURE = readFileSync(new URL('../fixtures/config.yaml', import.meta.url), 'utf8');

const TEXT = `# top comment
modules:
  # the greeter
  - name: greeter
    type: greeter
    config:
      message: hi # inline
  - name: other
    type: greeter # keep me
    config: { message: x }
platform: { region: local }
`;

describe('setModuleConfig', () => {
  it('replaces one module config and keeps every comment and the rest of the layout', () => {
    const out = setModuleConfig(TEXT, 'other', { message: 'new' });
    expect(out).toContain('# top comment');
    expect(out).toContain('# the greeter');
    expect(out).toContain('message: hi # inline');
    expect(out).toContain('type: greeter # keep me');
    expect(out).toContain('platform: { region: local }');
    expect(parse(out).modules[1]).toEqual({ name: 'other', type: 'greeter', config: { message: 'new' } });
  });

  it('appends a module entry in block style when asked, even to `modules: []`', () => {
    const out = setModuleConfig(
      '# overlay\nmodules: []\n',
      'greeter',
      { message: 'm' },
      { append: { type: 'greeter' } },
    );
    expect(out).toBe(
      '# overlay\nmodules:\n  - name: greeter\n    type: greeter\n    config:\n      message: m\n',
    );
  });

  it('refuses a missing module unless appending', () => {
    expect(() => setModuleConfig(TEXT, 'ghost', {})).toThrow(ModuleNotInDocumentError);
  });

  it('keeps JSON documents JSON', () => {
    const out = setModuleConfig('{"modules":[{"name":"g","type":"greeter","config":{"message":"a"}}]}', 'g', {
      message: 'b',
    });
    expect(JSON.parse(out)).toEqual({ modules: [{ name: 'g', type: 'greeter', config: { message: 'b' } }] });
  });
});

describe('openConfigText: one document, edit after edit', () => {
  /** Module configs as a JSON body can carry them, with keys and strings that YAML treats specially. */
  const tricky = fc.constantFrom(
    '',
    '~',
    'null',
    'true',
    'no',
    '0x1F',
    '1e3',
    '-',
    ': x',
    '#c',
    '<<',
    '"',
    "'",
    '\n',
  );
  const key = fc.oneof(fc.string({ maxLength: 8 }), tricky);
  const leaf = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 6 }),
    tricky,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 4 }), tie('object')),
    object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  }));
  const moduleConfig = fc.dictionary(key, value, { maxKeys: 6 }) as fc.Arbitrary<Record<string, unknown>>;
  const edit = fc.record({
    name: fc.constantFrom('greeter', 'limiter', 'flags', 'status-page', 'welcome'),
    config: moduleConfig,
  });
  const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

  it('toValue() is what parsing its text gives, after every edit (so a writer never has to parse it back)', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
        const doc = openConfigText(FIXTURE);
        for (const { name, config } of edits) {
          doc.setModuleConfig(name, config);
          const text = doc.toString();
          expect(doc.toValue()).toEqual(parseConfig(text, { filename: 'edited' }));
          expect(plain(doc.toValue())).toEqual(plain(parseConfig(text, { filename: 'edited' })));
          // Editing the working copy and editing a fresh parse of the same text agree.
          const fresh = openConfigText(text);
          fresh.setModuleConfig(name, config);
          expect(fresh.toValue()).toEqual(doc.toValue());
        }
      }),
      { numRuns: 150 },
    );
  });

  it('hands out copies: a later edit does not reach a value handed out before it', () => {
    for (const text of [FIXTURE, JSON.stringify(parse(FIXTURE))]) {
      const doc = openConfigText(text);
      doc.setModuleConfig('greeter', { message: 'first' });
      const before = doc.toValue() as { modules: { config: { message: string } }[] };
      doc.setModuleConfig('greeter', { message: 'second' });
      expect(before.modules[0]!.config.message).toBe('first');
    }
  });

  it('a module it does not hold leaves the text unchanged', () => {
    const doc = openConfigText(FIXTURE);
    const before = doc.toString();
    expect(() => doc.setModuleConfig('ghost', { a: 1 })).toThrow(ModuleNotInDocumentError);
    expect(doc.toString()).toBe(before);
  });

  it('reads `{modules: []}` (YAML flow style, not JSON) as YAML', () => {
    const doc = openConfigText('{modules: [{name: g, type: greeter}]}');
    doc.setModuleConfig('g', { message: 'hi' });
    expect(parse(doc.toString())).toEqual({
      modules: [{ name: 'g', type: 'greeter', config: { message: 'hi' } }],
    });
  });
});
