import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineCounter, parse, parseDocument, stringify } from 'yaml';
import {
  findJsonValueProblem,
  MAX_DOCUMENT_BYTES,
  MAX_NESTING,
  ModuleNotInDocumentError,
  openConfigText,
  parseConfig,
  setModuleConfig,
} from '../src/index.js';
import { catchParseError } from './parse-error.js';

const FIXTURE = readFileSync(new URL('./fixtures/commented-config.yaml', import.meta.url), 'utf8');

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

describe('openConfigText: the package parser, its JSON test and its limits', () => {
  const JSON_TEXT = '{"modules":[{"name":"g","type":"greeter","config":{"message":"a"}}]}';

  it('reads as JSON exactly what parseConfig reads as JSON: a byte order mark is allowed', () => {
    // The editor used to look for `{` first and took this for YAML; parseConfig took it for JSON.
    const doc = openConfigText(`\uFEFF${JSON_TEXT}`);
    doc.setModuleConfig('g', { message: 'b' });
    expect(JSON.parse(doc.toString())).toEqual({
      modules: [{ name: 'g', type: 'greeter', config: { message: 'b' } }],
    });
  });

  it('reads as YAML what parseConfig reads as YAML, though it starts with `{`', () => {
    // Past the nesting limit for JSON.parse: parseConfig hands it to YAML, which says where.
    const deep = `{"modules": [], "x": ${'['.repeat(80)}${']'.repeat(80)}}`;
    expect(catchParseError(() => openConfigText(deep, { filename: 'deep.json' })).message).toBe(
      catchParseError(() => parseConfig(deep, { filename: 'deep.json' })).message,
    );
    const huge = '{"modules": [], "n": 1e400}';
    expect(catchParseError(() => openConfigText(huge, { filename: 'n.json' })).message).toBe(
      catchParseError(() => parseConfig(huge, { filename: 'n.json' })).message,
    );
  });

  it('opens to the value parseConfig gives, for JSON and YAML texts of every shape', () => {
    const texts = fc.oneof(
      fc.constant(FIXTURE),
      fc.constant(JSON_TEXT),
      fc.constant(`\uFEFF${JSON_TEXT}`),
      fc.constant(`  \n${JSON.stringify(parse(FIXTURE), null, 2)}`),
      fc.constant('{modules: [{name: g, type: t}]}'),
      fc.constant('{"modules": [{"name": "g", "type": "t", "config": {"a": 1, "a": 2}}]}'),
    );
    fc.assert(
      fc.property(texts, (text) => {
        expect(openConfigText(text).toValue()).toEqual(parseConfig(text, { filename: 'x' }));
      }),
    );
  });

  it("names the caller's file in its errors, as parseConfig does", () => {
    for (const text of ['modules: [\n', 'a: 1\na: 2\n', 'modules: !!binary abc\n']) {
      const error = catchParseError(() => openConfigText(text, { filename: 'stored:default' }));
      expect(error.message).toBe(
        catchParseError(() => parseConfig(text, { filename: 'stored:default' })).message,
      );
      expect(error.file).toBe('stored:default');
    }
  });

  it('opens nothing over maxDocumentBytes (MAX_DOCUMENT_BYTES unless raised), JSON or YAML', () => {
    const pad = `# ${'x'.repeat(MAX_DOCUMENT_BYTES)}\n`;
    expect(catchParseError(() => openConfigText(`${pad}${FIXTURE}`)).reason).toMatch(/over the limit/);
    const json = JSON.stringify({ modules: [], pad: 'x'.repeat(MAX_DOCUMENT_BYTES) });
    expect(catchParseError(() => openConfigText(json)).reason).toMatch(/over the limit/);
    expect(openConfigText(`${pad}${FIXTURE}`, { maxDocumentBytes: 2 * MAX_DOCUMENT_BYTES }).toString()).toBe(
      `${pad}${FIXTURE}`,
    );
  });

  it('refuses a config the text could not carry (past the nesting limit in its place, not JSON data); the text stays', () => {
    for (const text of [FIXTURE, JSON_TEXT.replace('"g"', '"greeter"')]) {
      const doc = openConfigText(text, { filename: 'cfg.yaml' });
      let deep: Record<string, unknown> = { leaf: 1 };
      for (let level = 1; level < MAX_NESTING - 3; level++) deep = { a: deep };
      doc.setModuleConfig('greeter', deep); // level 4 + 60 more: exactly at the limit
      expect(
        parseConfig(doc.toString(), { filename: 'x' }).modules.find((m) => m.name === 'greeter')?.config,
      ).toEqual(deep);
      const before = doc.toString();
      const error = catchParseError(() => doc.setModuleConfig('greeter', { a: deep }));
      // The config nests 61 levels of its own at most: it starts at level 4 of the document's 64.
      expect(error.message).toMatch(
        /^cfg\.yaml: modules\.greeter\.config\.a(\.a)+: nesting deeper than 61 levels/,
      );
      expect(catchParseError(() => doc.setModuleConfig('greeter', { at: new Date(0) })).reason).toMatch(
        /^modules\.greeter\.config\.at: /,
      );
      expect(doc.toString()).toBe(before);
    }
  });
});

describe('EditableConfigText.locate', () => {
  /** The 1-based position of the first match of `pattern` in `text`, plus `shift` columns. */
  const at = (text: string, pattern: string, shift = 0) => {
    const offset = text.indexOf(pattern);
    const before = text.slice(0, offset);
    return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') + shift };
  };

  it('finds an issue path (modules by name) and a node path (modules by index) in the opened text', () => {
    const doc = openConfigText(FIXTURE);
    expect(doc.locate('modules.limiter.config.rps')).toEqual(at(FIXTURE, 'rps: 20', 5));
    expect(doc.locate(['modules', 1, 'config', 'rps'])).toEqual(at(FIXTURE, 'rps: 20', 5));
    expect(doc.locate('modules.limiter.config.paths.0')).toEqual(at(FIXTURE, '/hello]'));
    expect(doc.locate('platform.region')).toEqual(at(FIXTURE, 'local'));
    // What the text lacks: its nearest ancestor; a module it lacks: nothing.
    expect(doc.locate('modules.limiter.config.missing.deeper')).toEqual(at(FIXTURE, 'rps: 20'));
    expect(doc.locate('modules.ghost.config')).toBeUndefined();
  });

  it('finds positions in the text as edited, by whichever edit path', () => {
    const doc = openConfigText(FIXTURE);
    doc.setModuleConfig('greeter', { message: 'one\ntwo\nthree' }); // spliced: the lines below move
    doc.setModuleConfig('status-page', { path: '/s', body: 'x\n\n' }); // the Document path (`|+`)
    const text = doc.toString();
    expect(doc.locate('modules.limiter.config.burst')).toEqual(at(text, 'burst: 40', 7));
    expect(doc.locate('modules.status-page.config.path')).toEqual(at(text, 'path: /s', 6));
    expect(doc.clone().locate('modules.flags.config.new-checkout')).toEqual(
      at(text, 'new-checkout: true', 14),
    );
  });

  it('JSON texts have positions too', () => {
    const text = JSON.stringify(parse(FIXTURE), null, 2);
    const doc = openConfigText(text);
    expect(doc.locate('modules.limiter.config.burst')).toEqual(at(text, '"burst": 40', 9));
    doc.setModuleConfig('limiter', { burst: 1 });
    expect(doc.locate('modules.limiter.config.burst')).toEqual(at(doc.toString(), '"burst": 1', 9));
  });

  it('module names with dots: the name whose module has the rest of the path', () => {
    const text = lines(
      'modules:',
      '  - { name: a, type: t, config: { x: 1 } }',
      '  - { name: a.config, type: t, config: { y: 2 } }',
    );
    const doc = openConfigText(text);
    expect(doc.locate('modules.a.config.x')).toEqual(at(text, '1 }'));
    expect(doc.locate('modules.a.config.config.y')).toEqual(at(text, '2 }'));
    expect(doc.locate('modules.a.config')).toEqual(at(text, '{ name: a.config'));
  });

  it('after every edit, each module config sits where a fresh parse of the text puts it', () => {
    const names = ['greeter', 'limiter', 'flags', 'status-page', 'welcome'];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ name: fc.constantFrom(...names), config: fc.dictionary(fc.string(), fc.string()) }),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        (edits) => {
          const doc = openConfigText(FIXTURE);
          for (const { name, config } of edits) doc.setModuleConfig(name, config);
          const text = doc.toString();
          const lineCounter = new LineCounter();
          const fresh = parseDocument(text, { lineCounter });
          names.forEach((name, i) => {
            const node = fresh.getIn(['modules', i, 'config'], true) as { range: [number] };
            const { line, col } = lineCounter.linePos(node.range[0]);
            expect(doc.locate(`modules.${name}.config`)).toEqual({ line, column: col });
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('EditableConfigText.toAppConfig: parseConfig, on the opened parse', () => {
  const texts = [
    FIXTURE,
    '',
    '# only a comment\n',
    'null\n',
    'modules: 5\n',
    'modules:\n  - name: a\n    type: t\n  - name: a\n    type: t\n',
    '{"modules": [{"name": "a"}]}',
    '{"modules": [{"name": "a", "type": "t"}], "x": 1, "x": 2}',
    '{"modules": [{"name": "a", "type": "t"}, {"name": "a", "type": "t"}], "x": 1, "x": 2}',
    '\uFEFF{"modules": [{"name": "a", "type": 7}]}',
    'modules:\n  - name: o\n    config: {}\n',
  ];

  it('returns what parseConfig returns, and throws what it throws, positions included', () => {
    for (const overlay of [false, true]) {
      for (const text of texts) {
        const ctx = { filename: 'c.yaml', overlay };
        let expected: unknown;
        try {
          expected = parseConfig(text, ctx);
        } catch (error) {
          expected = (error as Error).message;
        }
        let actual: unknown;
        try {
          actual = openConfigText(text, { filename: 'c.yaml' }).toAppConfig({ overlay });
        } catch (error) {
          actual = (error as Error).message;
        }
        expect(actual, JSON.stringify(text)).toEqual(expected);
      }
    }
  });
});
