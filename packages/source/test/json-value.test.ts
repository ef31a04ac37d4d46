import { describe, expect, it } from 'vitest';
import { findJsonValueProblem, MAX_NESTING } from '../src/index.js';

/** `levels` lists, one inside the other, around `inner`. */
const nested = (levels: number, inner: unknown = 1): unknown =>
  Array.from({ length: levels }).reduce<unknown>((value) => [value], inner);

describe('findJsonValueProblem', () => {
  it('accepts plain JSON data, including `__proto__` as an own key', () => {
    const value = JSON.parse('{"a": [1, 2.5, "x", true, null, {"b": {}}], "__proto__": {"c": -0}}');
    expect(findJsonValueProblem(value)).toBeUndefined();
  });

  it(`counts levels from the value itself: ${MAX_NESTING} pass, one more is reported with its path`, () => {
    expect(findJsonValueProblem(nested(MAX_NESTING))).toBeUndefined();
    expect(findJsonValueProblem({ x: nested(MAX_NESTING - 1) })).toBeUndefined();
    expect(findJsonValueProblem({ x: nested(MAX_NESTING) })).toEqual({
      path: ['x', ...Array(MAX_NESTING - 1).fill(0)],
      reason: `nesting deeper than ${MAX_NESTING} levels; flatten it`,
    });
    expect(findJsonValueProblem({ a: { b: 1 } }, { maxNesting: 1 })).toEqual({
      path: ['a'],
      reason: 'nesting deeper than 1 levels; flatten it',
    });
  });

  it('walks without recursion: a million levels cannot overflow the stack', () => {
    expect(findJsonValueProblem(nested(1_000_000))?.reason).toMatch(/^nesting deeper than/);
  });

  it('refuses numbers that JSON cannot carry or that lost digits', () => {
    expect(findJsonValueProblem({ a: [1, JSON.parse('1e400')] })).toEqual({
      path: ['a', 1],
      reason: 'Infinity is not a finite number; JSON has no infinities or NaN',
    });
    expect(findJsonValueProblem({ n: Number.NaN })?.reason).toMatch(/^NaN is not a finite number/);
    expect(findJsonValueProblem({ id: JSON.parse('12345678901234567890') })).toEqual({
      path: ['id'],
      reason: 'the integer 12345678901234567000 is beyond ±2^53 and has lost digits; send it as a string',
    });
    // From 1e21 a number prints as a float literal (`1.5e+300`), which reads back as the same number.
    expect(findJsonValueProblem({ max: Number.MAX_SAFE_INTEGER, big: 1.5e300, e21: 1e21 })).toBeUndefined();
  });

  it('refuses objects that are not plain mappings or lists, and values JSON has no form for', () => {
    expect(findJsonValueProblem({ when: new Date(0) })?.reason).toBe('an object (Date) is not JSON data');
    expect(findJsonValueProblem({ bytes: Buffer.from('hi') })?.reason).toBe(
      'an object (Buffer) is not JSON data',
    );
    expect(findJsonValueProblem([new Set()])).toEqual({
      path: [0],
      reason: 'an object (Set) is not JSON data',
    });
    expect(findJsonValueProblem({ f: () => 1 })?.reason).toBe('function is not JSON data');
    expect(findJsonValueProblem({ u: undefined })?.reason).toBe('undefined is not JSON data');
  });
});
