import { describe, expect, it } from 'vitest';
import { MAX_ALIAS_EXPANSION, MAX_DOCUMENT_BYTES, parseConfig, parseYamlDocument } from '../src/index.js';
import { catchParseError } from './parse-error.js';

const ctx = { filename: 'config.yaml' };
const lines = (...l: string[]) => `${l.join('\n')}\n`;

/** Parses and returns the `ConfigParseError` it must throw. */
const parseError = (text: string, opts: { maxDocumentBytes?: number } = {}) =>
  catchParseError(() => parseConfig(text, { ...ctx, ...opts }));

/** The top level `modules: []` plus `body`. */
const withModules = (...body: string[]) => lines('modules: []', ...body);

describe('duplicate keys', () => {
  it('are reported at the second key, in block and flow mappings, at any depth', () => {
    expect(parseError(withModules('a:', '  b: 1', '  c: 2', '  b: 3')).message).toBe(
      'config.yaml:5:3: duplicate key "b"',
    );
    expect(parseError(withModules('a: { x: 1, y: 2, x: 3 }')).message).toBe(
      'config.yaml:2:18: duplicate key "x"',
    );
    expect(parseError(lines('modules: []', 'modules: []')).message).toBe(
      'config.yaml:2:1: duplicate key "modules"',
    );
  });

  it('compare as the resulting object names them: 1 and "1", null and "" are the same key', () => {
    // yaml's own check saw two different keys here, and the object silently kept the last value.
    expect(parseError(withModules('a:', '  1: one', '  "1": uno')).reason).toBe('duplicate key "1"');
    expect(parseError(withModules('a:', '  ~: x', '  "": y')).reason).toBe('duplicate key ""');
    expect(parseError(withModules('a:', '  true: x', '  "true": y')).reason).toBe('duplicate key "true"');
  });

  it('must be plain scalars, not lists, mappings or aliases', () => {
    const list = parseError(withModules('? [a, b]', ': 1'));
    expect(list.reason).toBe('a key must be a string, number, boolean or null, not a mapping or list');
    expect(list).toMatchObject({ line: 2, column: 3 });
    const alias = parseError(withModules('k: &k name', '*k : 1'));
    expect(alias.reason).toBe('a key must be a string, number, boolean or null, not an alias');
  });

  it('are found in linear time: 50,000 keys in one mapping, a repeat of the first at the end', () => {
    // yaml's `uniqueKeys` compares each key with all before it: 10k / 40k keys took 1.2 / 10.9 s.
    const keys = Array.from({ length: 50_000 }, (_, i) => `  key${i}: ${i}`);
    const text = withModules('flags:', ...keys, '  key0: again');
    const started = performance.now();
    const error = parseError(text, { maxDocumentBytes: 10 * MAX_DOCUMENT_BYTES });
    const ms = performance.now() - started;
    expect(error).toMatchObject({ line: 50_003, column: 3, reason: 'duplicate key "key0"' });
    // A generous ceiling, not a speed claim (bench/parse.ts measures): linear takes ~0.5 s here,
    // the pairwise compare ~17 s.
    expect(ms).toBeLessThan(8_000);
  });
});

describe('values are JSON data', () => {
  it.each([
    ['!!binary aGVsbG8=', '!!binary'],
    ['!!set { a: null }', '!!set'],
    ['!!omap [ a: 1 ]', '!!omap'],
    ['!!pairs [ a: 1 ]', '!!pairs'],
    ['!!timestamp 2001-12-14', '!!timestamp'],
    ['!custom value', '!custom'],
    ['!<tag:example.com,2000:app/x> 1', 'tag:example.com,2000:app/x'],
  ])('refuses the tag in `x: %s`, at the value', (value, tag) => {
    const error = parseError(withModules(`x: ${value}`));
    expect(error.reason).toMatch(
      new RegExp(`^tag ${tag.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not allowed`),
    );
    expect(error.line).toBe(2);
  });

  it('refuses a redefined `!!` handle, whose `!!str` is no longer the core one', () => {
    expect(parseError('%TAG !! tag:example.com,2000:\n---\nmodules: []\nx: !!str a\n').reason).toMatch(
      /^tag tag:example\.com,2000:str is not allowed/,
    );
  });

  it("keeps the core schema's tags and the non-specific `!`", () => {
    const config = parseConfig(
      withModules(
        'a: !!str 12',
        'b: !!int "12"',
        'c: !!float 1.5',
        'd: ! 12',
        'e: !!map { k: !!null ~ }',
        'f: !!seq [ !!bool true ]',
      ),
      ctx,
    );
    expect(config).toEqual({ modules: [], a: '12', b: 12, c: 1.5, d: '12', e: { k: null }, f: [true] });
  });

  it('refuses infinities and NaN, with their position; quoted they are strings', () => {
    for (const [value, column] of [
      ['.inf', 4],
      ['-.Inf', 4],
      ['.nan', 4],
      ['[1, .NaN]', 8],
    ] as const) {
      const error = parseError(withModules(`x: ${value}`));
      expect(error.reason).toMatch(/is not a finite number: JSON has no infinities or NaN/);
      expect(error).toMatchObject({ line: 2, column });
    }
    expect(parseConfig(withModules('x: ".inf"'), ctx).x).toBe('.inf');
  });

  it('refuses integers beyond ±2^53 unless quoted; floats may be large', () => {
    for (const value of [
      '9007199254740992',
      '-9007199254740993',
      '0x20000000000000',
      '12345678901234567890',
    ]) {
      const error = parseError(withModules(`id: ${value}`));
      expect(error.reason).toBe(
        `the integer ${value} is beyond ±2^53 and would lose digits; quote it to keep it as a string`,
      );
      expect(error).toMatchObject({ line: 2, column: 5 });
    }
    const config = parseConfig(
      withModules(
        'a: 9007199254740991',
        'b: "12345678901234567890"',
        'c: 1e300',
        'd: 12345678901234567890.5',
      ),
      ctx,
    );
    expect(config).toMatchObject({ a: 9007199254740991, b: '12345678901234567890', c: 1e300 });
  });

  it('applies the same rules to JSON text, with the position the YAML path finds', () => {
    const big = parseError('{\n  "modules": [],\n  "id": 12345678901234567890\n}');
    expect(big).toMatchObject({ line: 3, column: 9 });
    expect(big.reason).toMatch(/^the integer 12345678901234567890 is beyond ±2\^53/);
    // JSON.parse turns 1e400 into Infinity; the YAML path reads it as a float literal and refuses it.
    expect(parseError('{"modules": [], "x": 1e400}')).toMatchObject({ line: 1, column: 22 });
    expect(parseConfig('{"modules": [], "x": 1e16}', ctx).x).toBe(1e16);
  });
});

describe('aliases', () => {
  it('pass when they copy a little, as configs use them', () => {
    const config = parseConfig(
      lines(
        'defaults: &defaults { retries: 3, timeoutMs: 500 }',
        'modules:',
        '  - { name: a, type: t, config: *defaults }',
        '  - { name: b, type: t, config: *defaults }',
      ),
      ctx,
    );
    expect(config.modules[1]?.config).toEqual({ retries: 3, timeoutMs: 500 });
  });

  it(`are refused once they expand the text more than ${MAX_ALIAS_EXPANSION}×, at the alias that passes the bound`, () => {
    // The issue's 5.5 MB string aliased 99 times, scaled down: 50 KB aliased 99 times is ~5 MB.
    const aliases = Array.from({ length: 99 }, (_, i) => `a${i}: *big`);
    const error = parseError(withModules(`big: &big ${'x'.repeat(50_000)}`, ...aliases));
    expect(error.reason).toMatch(
      new RegExp(
        `^aliases expand the document to more than [\\d,]+ characters of JSON \\(the limit is ${MAX_ALIAS_EXPANSION} × its text`,
      ),
    );
    // 50,002 characters per alias against a bound of ~500,000: the 10th alias passes it.
    expect(error).toMatchObject({ line: 12, column: 5 });
  });

  it('are refused past the document limit even below the ratio', () => {
    const text = withModules(`big: &big ${'x'.repeat(2_000)}`, 'a: [*big, *big, *big]');
    expect(parseConfig(text, ctx).a).toHaveLength(3);
    expect(parseError(text, { maxDocumentBytes: 5_000 }).reason).toMatch(
      /more than 5,000 characters of JSON/,
    );
  });

  it('cost one pass over the nodes however far they expand (a "billion laughs" text)', () => {
    // Each level aliases the one before ten times: 10^9 copies of "lol" if expanded.
    const levels = Array.from(
      { length: 9 },
      (_, i) => `l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`).join(', ')}]`,
    );
    const error = parseError(withModules('l0: &l0 lol', ...levels));
    expect(error.reason).toMatch(/^aliases expand the document/);
    expect(error.line).toBe(5); // l3 already holds 1,000 copies: past 10 × the text
  });

  it('may not form a cycle (the value would contain itself; JSON.stringify throws on it)', () => {
    const error = parseError(withModules('a: &x [ 1, *x ]'));
    expect(error).toMatchObject({
      line: 2,
      column: 12,
      reason: 'alias *x is inside the node it refers to (a cycle)',
    });
  });

  it('must follow their anchor', () => {
    expect(parseError(withModules('a: *later', 'b: &later 1'))).toMatchObject({
      line: 2,
      column: 4,
      reason: 'alias *later has no anchor &later before it',
    });
  });
});

describe('parseYamlDocument', () => {
  it('returns the checked document and a position for any offset, for editors', () => {
    const text = withModules('a:', '  b: 1');
    const { doc, position } = parseYamlDocument(text, ctx);
    expect(doc.getIn(['a', 'b'])).toBe(1);
    expect(position(text.indexOf('b:'))).toEqual({ line: 3, column: 3 });
    expect(parseYamlDocument('# nothing\n', ctx).doc.contents).toBeNull();
  });

  it('refuses more than one document, at the second', () => {
    expect(() => parseYamlDocument('a: 1\n---\nb: 2\n', ctx)).toThrow(
      'config.yaml:2:1: more than one document (`---`) in the text; a config is one document',
    );
  });
});
