import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  type ConfigParser,
  MAX_DOCUMENT_BYTES,
  parseConfig,
  parseConfigWith,
  parseText,
  toAppConfig,
} from '../src/index.js';
import { toAppConfigChecked } from '../src/parse.js';
import { catchParseError } from './parse-error.js';

const ctx = { filename: 'config.yaml' };

/** Parses and returns the `ConfigParseError` it must throw. */
const parseError = (text: string, parse: (t: string) => unknown = (t) => parseConfig(t, ctx)) =>
  catchParseError(() => parse(text));

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('parseConfig: YAML', () => {
  it('parses modules and keeps every other section', () => {
    const config = parseConfig(
      lines(
        'modules:',
        '  - name: http',
        '    type: http.server',
        '    config: { port: 8080 }',
        '    dependsOn: [db]',
        '  - name: db',
        '    type: database',
        'workflows:',
        '  main: { steps: [a, b] }',
      ),
      ctx,
    );
    expect(config).toEqual({
      modules: [
        { name: 'http', type: 'http.server', config: { port: 8080 }, dependsOn: ['db'] },
        { name: 'db', type: 'database' },
      ],
      workflows: { main: { steps: ['a', 'b'] } },
    });
  });

  it('reports a duplicate key with file:line:column', () => {
    const error = parseError(
      lines('modules:', '  - name: a', '    type: t', '    config:', '      port: 1', '      port: 2'),
    );
    expect(error.message).toBe('config.yaml:6:7: duplicate key "port"');
    expect(error).toMatchObject({ code: 'CFG_PARSE', file: 'config.yaml', line: 6, column: 7 });
    expect(error.reason).toBe('duplicate key "port"');
  });

  it('reports bad indentation at its line', () => {
    const error = parseError(lines('modules:', '  - name: a', '   type: t'));
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^config\.yaml:3:\d+: /);
  });

  it('reports a tab used as indentation', () => {
    const error = parseError(lines('modules:', '\t- name: a', '\t  type: t'));
    expect(error).toMatchObject({ line: 2, column: 1 });
    expect(error.reason).toMatch(/tab/i);
  });

  it('gives one-line messages', () => {
    const error = parseError(lines('modules: [a, b', 'x: 1'));
    expect(error.message).not.toContain('\n');
    expect(error.line).toBeGreaterThan(0);
  });

  it('rejects several documents in one file', () => {
    const error = parseError(lines('modules: []', '---', 'modules: []'));
    expect(error.line).toBe(2);
  });

  it('rejects an alias to a missing anchor', () => {
    expect(parseError(lines('modules: *nothing')).reason).toMatch(/alias/i);
  });

  it('rejects an empty file with a clear error, not null', () => {
    for (const text of ['', '   \n\n', '# only a comment\n']) {
      const error = parseError(text);
      expect(error.reason).toMatch(/empty/);
      expect(error.message).toMatch(/^config\.yaml: /);
    }
  });

  it('rejects a null document', () => {
    for (const text of ['null\n', '~\n']) {
      expect(parseError(text).reason).toMatch(/top level is empty \(null\)/);
    }
  });

  it('rejects a top level that is not a mapping', () => {
    expect(parseError(lines('- name: a', '  type: t')).reason).toMatch(/top level must be a mapping.*a list/);
    expect(parseError('42\n').reason).toMatch(/number 42/);
    expect(parseError('"modules"\n').reason).toMatch(/string "modules"/);
  });

  it('requires `modules`, as a list', () => {
    const missing = parseError(lines('workflows: {}'));
    expect(missing.reason).toMatch(/missing `modules`/);
    const notList = parseError(lines('workflows: {}', 'modules:', '  http: {}'));
    expect(notList.reason).toBe('`modules` must be a list, not a mapping');
    expect(notList.line).toBe(3);
    expect(parseError(lines('modules:')).reason).toBe('`modules` must be a list, not null');
  });

  it('requires every module to be a mapping with a string name and type', () => {
    const notMapping = parseError(lines('modules:', '  - http'));
    expect(notMapping).toMatchObject({ line: 2, column: 5 });
    expect(notMapping.reason).toBe('modules[0] must be a mapping, not the string "http"');

    const noName = parseError(lines('modules:', '  - name: a', '    type: t', '  - type: t'));
    expect(noName.reason).toBe('modules[1]: `name` is missing');
    expect(noName.line).toBe(4);

    const noType = parseError(lines('modules:', '  - name: a'));
    expect(noType.reason).toBe('modules[0]: `type` is missing');
    expect(noType.line).toBe(2);

    const numericName = parseError(lines('modules:', '  - name: 7', '    type: t'));
    expect(numericName.reason).toBe('modules[0]: `name` must be a non-empty string, not number 7');
    expect(numericName).toMatchObject({ line: 2, column: 11 });

    expect(parseError(lines('modules:', '  - name: ""', '    type: t')).reason).toMatch(/non-empty/);
  });

  it('an overlay (`overlay: true`) may leave out `type`, and nothing else', () => {
    const text = lines('modules:', '  - name: a', '    config: { x: 1 }');
    expect(parseConfig(text, { ...ctx, overlay: true }).modules).toEqual([{ name: 'a', config: { x: 1 } }]);
    expect(parseError(text).reason).toBe('modules[0]: `type` is missing');
    const noName = parseError(lines('modules:', '  - type: t'), (t) =>
      parseConfig(t, { ...ctx, overlay: true }),
    );
    expect(noName.reason).toBe('modules[0]: `name` is missing');
    const emptyType = parseError(lines('modules:', '  - name: a', '    type: ""'), (t) =>
      parseConfig(t, { ...ctx, overlay: true }),
    );
    expect(emptyType.reason).toMatch(/`type` must be a non-empty string/);
  });

  it('rejects two modules with the same name, at the second one', () => {
    const error = parseError(
      lines(
        'modules:',
        '  - name: a',
        '    type: t',
        '  - name: b',
        '    type: t',
        '  - name: a',
        '    type: u',
      ),
    );
    expect(error.message).toBe(
      'config.yaml:6:11: duplicate module name "a" (first defined at line 2); module names must be unique',
    );
  });

  it('requires `config` to be a mapping and `dependsOn` a list of names', () => {
    const config = parseError(lines('modules:', '  - name: a', '    type: t', '    config: [1]'));
    expect(config).toMatchObject({ line: 4, column: 13 });
    expect(config.reason).toBe('module "a": `config` must be a mapping, not a list');

    const deps = parseError(lines('modules:', '  - name: a', '    type: t', '    dependsOn: b'));
    expect(deps.reason).toBe('module "a": `dependsOn` must be a list of module names, not the string "b"');
    expect(deps.line).toBe(4);

    const dep = parseError(lines('modules:', '  - name: a', '    type: t', '    dependsOn: [b, 3]'));
    expect(dep.reason).toBe('module "a": `dependsOn[1]` must be a module name, not number 3');
    expect(dep).toMatchObject({ line: 4, column: 20 });
  });
});

describe('parseConfig: JSON', () => {
  const data = {
    modules: [
      { name: 'http', type: 'http.server', config: { port: 8080, tls: null, hosts: ['a', 'b'] } },
      { name: 'db', type: 'database', dependsOn: [] },
    ],
    platform: { region: 'eu', replicas: 3, ratio: 0.5, on: true },
  };

  it('gives the same config as the YAML of the same data', () => {
    const fromJson = parseConfig(JSON.stringify(data, null, 2), ctx);
    const fromYaml = parseConfig(stringify(data), ctx);
    expect(fromJson).toEqual(data);
    expect(fromYaml).toEqual(fromJson);
  });

  it('takes the JSON.parse fast path (repeated keys: the last wins, as in JSON.parse)', () => {
    // YAML would reject the repeated key, so a result here proves JSON.parse read it.
    expect(parseConfig('{"modules": [], "a": 1, "a": 2}', ctx)).toEqual({ modules: [], a: 2 });
  });

  it('accepts leading whitespace and a byte order mark', () => {
    expect(parseConfig('\uFEFF  \n {"modules": []}', ctx)).toEqual({ modules: [] });
  });

  it('reports invalid JSON with its position', () => {
    const error = parseError('{\n  "modules": [1, 2,, ]\n}', (t) => parseConfig(t, { filename: 'c.json' }));
    expect(error).toMatchObject({ file: 'c.json', line: 2, column: 20 });
    expect(error.message).toMatch(/^c\.json:2:20: /);
  });

  it('locates structural errors in JSON text too', () => {
    const text = '{\n  "modules": [\n    {"name": "a", "type": "t"},\n    {"name": "a", "type": "t"}\n  ]\n}';
    const error = parseError(text);
    expect(error.reason).toMatch(/duplicate module name "a" \(first defined at line 3\)/);
    expect(error.line).toBe(4);
  });
});

describe('the document size limit', () => {
  /** A valid config of exactly `bytes` UTF-8 bytes (a comment fills it up). */
  const configOf = (bytes: number, json = false) => {
    const head = json ? '{"modules": []}\n' : 'modules: []\n';
    return `${head}${json ? ' '.repeat(bytes - head.length) : `#${'x'.repeat(bytes - head.length - 2)}\n`}`;
  };

  it(`is ${MAX_DOCUMENT_BYTES.toLocaleString('en')} bytes by default, for YAML and JSON alike`, () => {
    for (const json of [false, true]) {
      expect(parseConfig(configOf(MAX_DOCUMENT_BYTES, json), ctx)).toEqual({ modules: [] });
      expect(parseError(configOf(MAX_DOCUMENT_BYTES + 1, json)).message).toBe(
        'config.yaml: the document is 1,048,577 bytes, over the limit of 1,048,576 bytes (maxDocumentBytes); split the config or raise the limit',
      );
    }
  });

  it('counts UTF-8 bytes, not characters, and can be set per call', () => {
    const text = `modules: []\nname: "${'é'.repeat(300)}"\n`; // 321 characters, 621 bytes
    expect(parseConfig(text, { ...ctx, maxDocumentBytes: 621 }).name).toHaveLength(300);
    expect(parseError(text, (t) => parseConfig(t, { ...ctx, maxDocumentBytes: 620 })).reason).toMatch(
      /^the document is 621 bytes, over the limit of 620 bytes/,
    );
  });

  it('applies to parseText and to custom parsers, before they run', () => {
    const big = configOf(2_000);
    const limited = { ...ctx, maxDocumentBytes: 1_000 };
    expect(() => parseText(big, limited)).toThrow(/over the limit of 1,000 bytes/);
    let ran = false;
    const parse: ConfigParser = () => {
      ran = true;
      return { modules: [] };
    };
    expect(() => parseConfigWith(parse, big, limited)).toThrow(/over the limit of 1,000 bytes/);
    expect(ran).toBe(false);
  });
});

describe('toAppConfig', () => {
  it('returns the same object and never modifies it', () => {
    const value = Object.freeze({
      modules: Object.freeze([Object.freeze({ name: 'a', type: 't', config: Object.freeze({ x: 1 }) })]),
    });
    const copy = structuredClone(value);
    expect(toAppConfig(value, ctx)).toBe(value);
    expect(value).toEqual(copy);
  });

  it('reports line 0 and no position without a locator', () => {
    const error = parseError('', () => toAppConfig({ modules: 'x' }, { filename: 'db' }));
    expect(error).toMatchObject({ line: 0, column: 0 });
    expect(error.message).toBe('db: `modules` must be a list, not the string "x"');
  });

  it('rejects values that are not plain mappings', () => {
    expect(parseError('', () => toAppConfig(new Map([['modules', []]]), ctx)).reason).toMatch(/Map/);
    expect(parseError('', () => toAppConfig(undefined, ctx)).reason).toMatch(/empty/);
  });
});

describe('parseText', () => {
  it('returns the parsed value without structural checks', () => {
    expect(parseText('- a\n- b\n', ctx)).toEqual(['a', 'b']);
    expect(parseText('{"x": 1}', ctx)).toEqual({ x: 1 });
    expect(parseError('a: 1\na: 2\n', (t) => parseText(t, ctx)).line).toBe(2);
  });
});

describe('parseConfigWith (pluggable parsers)', () => {
  it('runs the structural checks on a custom parser result', () => {
    const parse: ConfigParser = () => ({ modules: [{ name: 'a' }] });
    expect(parseError('', (t) => parseConfigWith(parse, t, ctx)).reason).toBe(
      'modules[0]: `type` is missing',
    );
  });

  it('passes the text and filename to the parser', () => {
    const seen: unknown[] = [];
    const parse: ConfigParser = (text, c) => {
      seen.push(text, c.filename);
      return { modules: [] };
    };
    expect(parseConfigWith(parse, 'anything', ctx)).toEqual({ modules: [] });
    expect(seen).toEqual(['anything', 'config.yaml']);
  });

  it("turns a parser's error into a ConfigParseError, keeping js-yaml's position and the cause", () => {
    const thrown = Object.assign(new Error('duplicated mapping key (6:7)\n\n 5 | port: 1\n'), {
      mark: { line: 5, column: 6 },
    });
    const error = parseError('', (t) =>
      parseConfigWith(
        () => {
          throw thrown;
        },
        t,
        ctx,
      ),
    );
    expect(error.message).toBe('config.yaml:6:7: duplicated mapping key (6:7)');
    expect(error.cause).toBe(thrown);
  });

  it('uses parseConfig when no parser is given', () => {
    expect(parseConfigWith(undefined, 'modules: []\n', ctx)).toEqual({ modules: [] });
  });
});

describe('toAppConfigChecked (the structural checks of a config assembled from blocks)', () => {
  const ctx = { filename: 'c.yaml' };
  const outcome = (run: () => unknown) => {
    try {
      return run();
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('gives toAppConfig’s verdict when no module was checked before, problem for problem', () => {
    const configs: unknown[] = [
      {
        modules: [
          { name: 'a', type: 't' },
          { name: 'a', type: 't', config: 5 },
        ],
      },
      { modules: [{ name: 'a', type: 't', dependsOn: [1] }] },
      { modules: [{ name: ' ', type: 't' }] },
      { modules: [{ name: 'a' }] },
      { modules: 'x' },
      { modules: [{ name: 'a', type: 't' }] },
    ];
    for (const config of configs) {
      const none = (config as { modules: unknown }).modules;
      const checked = Array.isArray(none) ? none.map(() => false) : [];
      expect(outcome(() => toAppConfigChecked(config, ctx, checked))).toEqual(
        outcome(() => toAppConfig(config, ctx)),
      );
    }
  });

  it('looks only at the name of a module checked before (a reused block), and still refuses repeats', () => {
    // Not a valid module, but marked checked: its checks are not run again.
    const trusted = { name: 'a', type: 5 };
    expect(toAppConfigChecked({ modules: [trusted] }, ctx, [true]).modules[0]).toBe(trusted);
    expect(() => toAppConfigChecked({ modules: [trusted] }, ctx, [false])).toThrow('`type`');
    expect(() =>
      toAppConfigChecked({ modules: [{ name: 'a', type: 't' }, trusted] }, ctx, [false, true]),
    ).toThrow('duplicate module name "a"');
  });
});
