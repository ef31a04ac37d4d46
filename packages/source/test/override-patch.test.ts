import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LITERAL_KEY, mergePatch, overridePatch } from '../src/index.js';

/** How the overlay merges: RFC 7386 with `{ $literal: … }` for literal values. */
const merge = (target: unknown, patch: unknown) => mergePatch(target, patch, { literalKey: LITERAL_KEY });

/** JSON objects with every kind of value a PUT body can hold: nulls, and `$literal` keys too. */
const leaf = fc.oneof(
  fc.integer(),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.constant(null)), { maxLength: 3 }),
);
const key = fc.constantFrom('a', 'b', 'c', LITERAL_KEY, '__proto__', 'constructor');
const jsonObject = fc.letrec((tie) => ({
  object: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, leaf, tie('object')), { maxKeys: 4 }),
})).object as fc.Arbitrary<Record<string, unknown>>;

describe('overridePatch', () => {
  it('merging the patch into the base gives exactly the target, nulls and `$literal` keys included', () => {
    fc.assert(
      fc.property(jsonObject, jsonObject, (base, target) => {
        expect(merge(base, overridePatch(base, target))).toEqual(target);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps winning for every key it sets when the base changes later', () => {
    fc.assert(
      fc.property(jsonObject, jsonObject, jsonObject, (base, target, laterBase) => {
        const merged = merge(laterBase, overridePatch(base, target)) as Record<string, unknown>;
        for (const k of Object.keys(target)) {
          if (typeof target[k] !== 'object' || target[k] === null || Array.isArray(target[k]))
            expect(merged[k]).toEqual(target[k]);
        }
      }),
    );
  });

  it('names deleted keys with null, and writes the nulls it sends as literals', () => {
    expect(overridePatch({ a: 1, n: { x: 1, y: 2 } }, { n: { x: 3 } })).toEqual({
      n: { x: 3, y: null },
      a: null,
    });
    expect(overridePatch({ a: 1 }, { a: null, nested: { b: null } })).toEqual({
      a: { $literal: null },
      nested: { b: { $literal: null } },
    });
    // The example: served as `{"nested":{}}` before, since a merge patch deletes on null.
    const body = { a: null, nested: { b: null } };
    expect(merge({ old: true }, overridePatch({ old: true }, body))).toEqual(body);
  });

  it('never changes a prototype', () => {
    const patch = overridePatch({}, JSON.parse('{"__proto__":{"polluted":true}}'));
    expect(Object.getPrototypeOf(patch)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
