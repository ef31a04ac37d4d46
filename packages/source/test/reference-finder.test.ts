/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are reference syntax. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findReferences, MAX_PROBLEMS, ReferenceFinder } from '../src/references/find.js';

/** Strings with references, escapes, broken references and plain text. */
const piece = fc.constantFrom(
  'plain',
  '${env:HOME}',
  '${env:TOKEN}',
  '${file:/run/secrets/db}',
  'x-${env:HOME}-y',
  '$${not a ref}',
  '${oops',
  '${env:}',
  '',
);
const text = fc.array(piece, { maxLength: 3 }).map((parts) => parts.join(''));
const leaf = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 3 }),
  map: fc.dictionary(fc.constantFrom('a', 'b', 'password', '__proto__', 'x/y', 'm~n'), tie('node'), {
    maxKeys: 3,
  }),
})).node;
const module = fc.record({ name: fc.string({ maxLength: 4 }), type: fc.constant('t'), config: value });
const config = fc.record({
  modules: fc.array(module, { maxLength: 6 }),
  platform: value,
  note: text,
});

describe('ReferenceFinder (findReferences block by block)', () => {
  it('finds exactly what findReferences finds, over a sequence of configs sharing blocks', () => {
    // Each step keeps some blocks of the previous config (by identity), as an incremental parse does.
    const edit = fc.record({
      next: config,
      keep: fc.array(fc.boolean(), { maxLength: 8 }),
      swap: fc.boolean(),
    });
    fc.assert(
      fc.property(config, fc.array(edit, { maxLength: 6 }), (first, edits) => {
        const finder = new ReferenceFinder();
        let current: Record<string, unknown> & { modules: unknown[] } = first;
        expect(finder.find(current)).toEqual(findReferences(current));
        for (const { next, keep, swap } of edits) {
          const modules = next.modules.map((m, i) =>
            keep[i] && current.modules[i] ? current.modules[i] : m,
          );
          if (swap && modules.length > 1) modules.reverse();
          const keys = swap ? { note: next.note, modules, platform: current.platform } : { ...next, modules };
          current = keys;
          expect(finder.find(current)).toEqual(findReferences(current));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('walks a block once: a config that shares all modules but one walks that one', () => {
    const modules = Array.from({ length: 1_000 }, (_, i) => ({
      name: `m${i}`,
      type: 't',
      config: { url: i % 10 === 0 ? `\${env:URL_${i}}` : `http://x/${i}`, nested: { list: ['a', 'b'] } },
    }));
    const platform = { region: 'eu', token: '${file:/run/secrets/token}' };
    const finder = new ReferenceFinder();
    const first = { platform, modules };
    expect(finder.find(first)).toEqual(findReferences(first));
    expect(finder.blocksWalked).toBe(1_001);

    const edited = modules.map((m, i) => (i === 500 ? { ...m, config: { url: '${env:EDITED}' } } : m));
    const second = { platform, modules: edited };
    expect(finder.find(second)).toEqual(findReferences(second));
    expect(finder.blocksWalked).toBe(1_002);

    // The same modules in another order: nothing walked, every path and pointer at its new index.
    const moved = { modules: [...edited].reverse(), platform };
    expect(finder.find(moved)).toEqual(findReferences(moved));
    expect(finder.blocksWalked).toBe(1_002);
  });

  it('keeps at most MAX_PROBLEMS problems across blocks, the first ones in document order', () => {
    const modules = Array.from({ length: 30 }, (_, i) => ({
      name: `m${i}`,
      type: 't',
      config: { a: '${oops', b: '${env:}', c: '${x:y}', d: '${', e: 'fine' },
    }));
    const finder = new ReferenceFinder();
    const found = finder.find({ modules });
    expect(found.problems).toHaveLength(MAX_PROBLEMS);
    expect(found).toEqual(findReferences({ modules }));
  });
});
