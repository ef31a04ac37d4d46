import { readFileSync } from 'node:fs';
import { findJsonValueProblem, parseConfig } from '@cfg/source';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
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
    // Multi-line strings become block scalars; `|+` ones keep trailing line breaks.
    'a\nb\n\n',
    'x\n\n\n',
    ' lead\nb\n',
    'a\nb',
    '|+',
  );
  const key = fc.oneof(fc.string({ maxLength: 8 }), tricky);
  const leaf = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 6 }),
    tricky,
    // What the PUT route lets through: integral doubles beyond 2^53 print as digits the parser refuses.
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !findJsonValueProblem(d)),
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

  /** A module entry in one of the shapes people write, with its config (or none). */
  const moduleEntry = fc.record({
    config: fc.option(moduleConfig, { nil: undefined }),
    style: fc.constantFrom('block', 'flow-config', 'commented', 'config-first', 'no-newline-after'),
  });
  const documentShape = fc.record({
    modules: fc.array(moduleEntry, { minLength: 1, maxLength: 5 }),
    flowModules: fc.boolean(),
    anchors: fc.boolean(),
    crlf: fc.boolean(),
    trailingSection: fc.boolean(),
  });

  type DocumentShape = typeof documentShape extends fc.Arbitrary<infer T> ? T : never;

  /** Writes a document of that shape by hand, as a person would. */
  function writeDocument(shape: DocumentShape) {
    const flowOf = (value: unknown) => JSON.stringify(value);
    const indented = (text: string, pad: string) => text.trimEnd().replaceAll('\n', `\n${pad}`);
    const lines: string[] = [
      '# generated',
      shape.anchors ? 'defaults: &defaults { shared: true }' : '',
      'modules:',
    ];
    shape.modules.forEach(({ config, style }, i) => {
      const name = `m${i}`;
      const configLines =
        config === undefined
          ? []
          : style === 'flow-config'
            ? [`config: ${flowOf(config)} # flow`]
            : style === 'commented'
              ? [`config: # the config`, `  # first key next`, `  ${indented(stringify(config), '  ')}`]
              : [`config:\n  ${indented(stringify(config), '  ')}`];
      const entry =
        style === 'config-first'
          ? [...configLines, `name: ${name}`, 'type: t']
          : [`name: ${name}`, 'type: t', ...configLines];
      lines.push(`  # module ${i}`, `  - ${indented(entry.join('\n'), '    ')}`);
    });
    if (shape.flowModules) {
      lines.length = 0;
      lines.push(`modules: [${shape.modules.map((_, i) => `{ name: m${i}, type: t }`).join(', ')}]`);
    }
    if (shape.trailingSection) lines.push('platform:', '  region: eu # where');
    const text =
      lines.filter((l) => l !== '').join('\n') +
      (shape.modules.at(-1)?.style === 'no-newline-after' ? '' : '\n');
    return shape.crlf ? text.replaceAll('\n', '\r\n') : text;
  }

  it('any document people write: each edit changes that module only, and the text parses to toValue()', () => {
    fc.assert(
      fc.property(
        documentShape,
        fc.array(fc.tuple(fc.nat(4), moduleConfig), { minLength: 1, maxLength: 4 }),
        (shape, edits) => {
          const text = writeDocument(shape);
          const doc = openConfigText(text);
          const model = parseConfig(text, { filename: 'written' }) as {
            modules: { name: string; config?: unknown }[];
          };
          for (const [at, config] of edits) {
            const name = `m${at % shape.modules.length}`;
            doc.setModuleConfig(name, config);
            model.modules.find((m) => m.name === name)!.config = config;
            const parsed = parseConfig(doc.toString(), { filename: 'edited' });
            expect(parsed).toEqual(doc.toValue());
            expect(plain(parsed)).toEqual(plain(model));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rewrites only the lines of the edited config; every other byte stays', () => {
    const doc = openConfigText(FIXTURE);
    doc.setModuleConfig('limiter', { rps: 5, burst: 10 });
    const before = FIXTURE.split('\n');
    const after = doc.toString().split('\n');
    const changed = after.filter((line) => !before.includes(line));
    expect(changed).toEqual(['      rps: 5', '      burst: 10']);
    expect(before.filter((line) => !after.includes(line))).toEqual([
      '      rps: 20',
      '      burst: 40',
      '      paths: [/hello]',
    ]);
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

  it('a comment after a flow config stays out of the multi-line string that replaces it', () => {
    // Found by the property below: the comment landed on the last line of a block scalar.
    const text =
      'modules:\n  - name: m0\n    type: t\n    config: {"x":1} # flow\n  - name: m1\n    type: t\n';
    for (const config of [{ '': [' lead\nb\n'] }, { '': ['a\nb'] }]) {
      const doc = openConfigText(text);
      doc.setModuleConfig('m0', config);
      expect(parseConfig(doc.toString(), { filename: 'edited' }).modules[0]!.config).toEqual(config);
      expect(doc.toValue()).toEqual(parseConfig(doc.toString(), { filename: 'edited' }));
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
