import { mergePatch } from '@cfg/source';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { overridePatch } from '../../src/lib/override-patch.js';

/** JSON objects without null values (a merge patch cannot set a null). */
const leaf = fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }));
const key = fc.constantFrom('a', 'b', 'c', 'd', '__proto__', 'constructor');
const jsonObject = fc.letrec((tie) => ({
  object: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, leaf, tie('object')), { maxKeys: 4 }),
})).object as fc.Arbitrary<Record<string, unknown>>;

describe('overridePatch', () => {
  it('merging the patch into the base gives exactly the target', () => {
    fc.assert(
      fc.property(jsonObject, jsonObject, (base, target) => {
        expect(mergePatch(base, overridePatch(base, target))).toEqual(target);
      }),
    );
  });

  it('keeps winning for every key it sets when the base changes later', () => {
    fc.assert(
      fc.property(jsonObject, jsonObject, jsonObject, (base, target, laterBase) => {
        const merged = mergePatch(laterBase, overridePatch(base, target)) as Record<string, unknown>;
        for (const k of Object.keys(target)) {
          if (typeof target[k] !== 'object' || Array.isArray(target[k])) expect(merged[k]).toEqual(target[k]);
        }
      }),
    );
  });

  it('names deleted keys with null, at every depth', () => {
    expect(overridePatch({ a: 1, n: { x: 1, y: 2 } }, { n: { x: 3 } })).toEqual({
      n: { x: 3, y: null },
      a: null,
    });
  });

  it('never changes a prototype', () => {
    const patch = overridePatch({}, JSON.parse('{"__proto__":{"polluted":true}}'));
    expect(Object.getPrototypeOf(patch)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
