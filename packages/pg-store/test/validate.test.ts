import { describe, expect, it } from 'vitest';
import { InvalidIdentifierError, InvalidKeyError } from '../src/index.js';
import { assertIdentifier, assertInteger, assertValidKey, quoteIdentifier } from '../src/validate.js';

describe('assertValidKey', () => {
  it.each(['a', 'app/prod.yaml', 'A-Z_0.9/x', 'x'.repeat(200)])('accepts %j', (key) => {
    expect(() => assertValidKey(key)).not.toThrow();
  });

  it.each(['', 'x'.repeat(201), "a'--", 'a"b', 'a b', 'a\\b', 'a\0', 'é', 'a\n', 'a:b'])(
    'rejects %j with InvalidKeyError',
    (key) => {
      expect(() => assertValidKey(key)).toThrow(InvalidKeyError);
    },
  );

  it('rejects non-strings with a message that names the rule', () => {
    expect(() => assertValidKey(42)).toThrow(/1-200 characters from A-Z a-z 0-9 \. _ \/ -/);
  });
});

describe('assertIdentifier', () => {
  it.each(['cfg', 'Cfg_2', '_x', 'a'.repeat(63)])('accepts %j', (name) => {
    expect(() => assertIdentifier('schema', name)).not.toThrow();
  });

  it.each(['', '1cfg', 'cfg-x', 'a'.repeat(64), 'cfg"; drop schema public; --', 'public.x'])(
    'rejects %j',
    (name) => {
      expect(() => assertIdentifier('schema', name)).toThrow(InvalidIdentifierError);
    },
  );

  it('names the option in the error', () => {
    expect(() => assertIdentifier('channel', 'a b')).toThrow(
      expect.objectContaining({ code: 'CFG_PG_INVALID_IDENTIFIER', option: 'channel', value: 'a b' }),
    );
  });
});

describe('quoteIdentifier', () => {
  it('double-quotes and escapes', () => {
    expect(quoteIdentifier('Cfg')).toBe('"Cfg"');
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
  });
});

describe('assertInteger', () => {
  it('accepts integers from min up and rejects the rest', () => {
    expect(() => assertInteger('limit', 1, 1)).not.toThrow();
    for (const bad of [0, 1.5, Number.NaN, '3', Number.MAX_SAFE_INTEGER + 1]) {
      expect(() => assertInteger('limit', bad, 1)).toThrow(RangeError);
    }
  });
});
