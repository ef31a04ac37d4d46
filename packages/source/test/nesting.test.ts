import { describe, expect, it } from 'vitest';
import { ConfigParseError, MAX_NESTING, parseConfig, parseConfigWith } from '../src/index.js';
import { findExcessiveNesting } from '../src/nesting.js';
import { catchParseError } from './parse-error.js';

const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('findExcessiveNesting', () => {
  it('accepts nesting up to the limit and reports the first bracket past it', () => {
    expect(findExcessiveNesting(deep(5), 5)).toBeUndefined();
    expect(findExcessiveNesting(`x: ${deep(6)}`, 5)).toEqual({ offset: 3 + 5 });
  });

  it('does not count brackets inside quoted strings or comments', () => {
    const text = [
      `a: "${'['.repeat(50)}"`,
      `b: '${'{'.repeat(50)} it''s'`,
      `# ${'['.repeat(50)}`,
      `c: don't ${'['.repeat(2)}`,
    ].join('\n');
    expect(findExcessiveNesting(text, 10)).toBeUndefined();
  });

  it('skips escaped quotes inside double-quoted strings', () => {
    expect(findExcessiveNesting(`{"a": "\\" ${'['.repeat(20)}"}`, 10)).toBeUndefined();
  });
});

describe('parseConfig on deep nesting: one limit for every style', () => {
  /** Parses and returns the `ConfigParseError` it must throw. */
  const parseError = (text: string, filename = 'deep.yaml') =>
    catchParseError(() => parseConfig(text, { filename }));
  /** A config of `levels` levels in block style: the top level, then a mapping per line under `x`. */
  const blockMaps = (levels: number) => {
    const keys = Array.from({ length: levels - 1 }, (_, i) => `${'  '.repeat(i)}${i === 0 ? 'x' : 'a'}:\n`);
    return `modules: []\n${keys.join('')}${'  '.repeat(levels - 1)}a: 1\n`;
  };
  const reason = `nesting deeper than ${MAX_NESTING} levels; flatten the config`;

  it(`parses a config nested ${MAX_NESTING - 10} levels deep`, () => {
    const text = `modules:\n  - name: a\n    type: t\n    config:\n      deep: ${deep(MAX_NESTING - 10)}\n`;
    expect(parseConfig(text, { filename: 'ok.yaml' }).modules[0]?.name).toBe('a');
  });

  it(`counts the top level: ${MAX_NESTING} levels pass, the first collection past them is reported`, () => {
    expect(parseConfig(`modules: []\nx: ${deep(MAX_NESTING - 1)}\n`, { filename: 'ok.yaml' })).toBeDefined();
    const error = parseError(`modules: []\nx: ${deep(MAX_NESTING)}\n`);
    expect(error).toMatchObject({ file: 'deep.yaml', line: 2, column: 3 + MAX_NESTING });
    expect(error.message).toBe(`deep.yaml:2:${3 + MAX_NESTING}: ${reason}`);
  });

  it('block mappings: the same limit (block style to ~970 levels used to pass)', () => {
    expect(parseConfig(blockMaps(MAX_NESTING), { filename: 'ok.yaml' })).toBeDefined();
    const error = parseError(blockMaps(MAX_NESTING + 1));
    expect(error.reason).toBe(reason);
    // The mapping on the last line is the first one past the limit.
    expect(error).toMatchObject({ line: MAX_NESTING + 2, column: 2 * MAX_NESTING + 1 });
  });

  it('compact block sequences (`- - - x`), which nest on one line', () => {
    const error = parseError(`modules: []\nx:\n${'- '.repeat(10_000)}x\n`);
    expect(error).toMatchObject({ line: 3, column: 2 * (MAX_NESTING - 1) + 1 }); // the 64th `-`
    expect(error.reason).toBe(reason);
  });

  it('what aliases expand to: an anchor nested inside itself again and again', () => {
    const half = MAX_NESTING / 2;
    const text = `modules: []\na: &a ${deep(half)}\nb: ${'['.repeat(half)}*a${']'.repeat(half)}\n`;
    const error = parseError(text);
    expect(error.reason).toBe(`alias *a nests the config deeper than ${MAX_NESTING} levels`);
    expect(error).toMatchObject({ line: 3, column: 4 + half });
  });

  it('guards the JSON fast path too, with the position from the YAML path', () => {
    const error = parseError(`{"modules": [], "x": ${deep(MAX_NESTING)}}`, 'c.json');
    expect(error).toMatchObject({ file: 'c.json', line: 1, column: 22 + MAX_NESTING - 1 });
  });

  it('a custom parser gets the flow scan in front of it, and its result the same limit', () => {
    let calls = 0;
    const json = (text: string) => {
      calls++;
      return JSON.parse(text) as unknown;
    };
    expect(() =>
      parseConfigWith(json, `{"modules": [], "x": ${deep(MAX_NESTING)}}`, { filename: 'c.json' }),
    ).toThrow(ConfigParseError);
    expect(calls).toBe(0); // refused before the parser ran

    const value = { modules: [], x: JSON.parse(deep(MAX_NESTING)) as unknown };
    expect(() => parseConfigWith(() => value, 'any text', { filename: 'c.json' })).toThrow(
      `c.json: x${'.0'.repeat(MAX_NESTING - 1)}: nesting deeper than ${MAX_NESTING} levels; flatten it`,
    );
  });
});
