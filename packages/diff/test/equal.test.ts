import { describe, expect, it } from 'vitest';
import { isEmpty, isEqual } from '../src/equal.js';

describe('isEqual', () => {
  it('ignores key order, at every depth', () => {
    expect(isEqual({ a: 1, b: { c: [1, { d: 2, e: 3 }] } }, { b: { c: [1, { e: 3, d: 2 }] }, a: 1 })).toBe(
      true,
    );
  });

  it('treats undefined members as absent, as JSON does', () => {
    expect(isEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(isEqual({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(isEqual({ a: undefined }, { b: undefined })).toBe(true);
  });

  it('sees every kind of difference', () => {
    expect(isEqual({ a: 1 }, { a: 2 })).toBe(false);
    expect(isEqual({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(isEqual([1, 2], [2, 1])).toBe(false);
    expect(isEqual([1], [1, 1])).toBe(false);
    expect(isEqual({ 0: 'a' }, ['a'])).toBe(false);
    expect(isEqual(null, {})).toBe(false);
    expect(isEqual('1', 1)).toBe(false);
    expect(isEqual({}, { toString: 1 })).toBe(false);
    expect(isEqual({ a: {} }, { a: { constructor: 1 } })).toBe(false);
  });

  it('equates NaN with NaN and 0 with -0, like canonical JSON', () => {
    expect(isEqual(Number.NaN, Number.NaN)).toBe(true);
    expect(isEqual(0, -0)).toBe(true);
  });

  it('compares objects that are not plain only by identity', () => {
    const date = new Date(0);
    expect(isEqual(date, date)).toBe(true);
    expect(isEqual(new Date(0), new Date(0))).toBe(false);
  });
});

describe('isEmpty', () => {
  it('accepts undefined, null and {} (ignoring undefined members) only', () => {
    expect([undefined, null, {}, { a: undefined }, Object.create(null)].every(isEmpty)).toBe(true);
    expect([[], 0, '', false, { a: null }].some(isEmpty)).toBe(false);
  });
});
