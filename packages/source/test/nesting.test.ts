import { describe, expect, it } from 'vitest';
import { ConfigParseError, MAX_NESTING, parseConfig } from '../src/index.js';
import { findExcessiveNesting } from '../src/nesting.js';

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

describe('parseConfig on deep nesting', () => {
  it(`parses a config nested ${MAX_NESTING - 10} levels deep`, () => {
    const text = `modules:\n  - name: a\n    type: t\n    config:\n      deep: ${deep(MAX_NESTING - 10)}\n`;
    expect(parseConfig(text, { filename: 'ok.yaml' }).modules[0]?.name).toBe('a');
  });

  it('rejects deeper nesting with a ConfigParseError at the offending bracket', () => {
    const text = `modules: []\nx: ${deep(MAX_NESTING + 1)}\n`;
    const error = (() => {
      try {
        parseConfig(text, { filename: 'deep.yaml' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigParseError);
    expect(error).toMatchObject({ file: 'deep.yaml', line: 2, column: 4 + MAX_NESTING });
    expect((error as Error).message).toBe(
      `deep.yaml:2:${4 + MAX_NESTING}: nesting deeper than ${MAX_NESTING} levels; flatten the config`,
    );
  });

  it('guards the JSON fast path too', () => {
    expect(() =>
      parseConfig(`{"modules": [], "x": ${deep(MAX_NESTING + 1)}}`, { filename: 'c.json' }),
    ).toThrow(ConfigParseError);
  });
});
