import { describe, expect, it } from 'vitest';
import { lineDiff, MAX_DIFF_LINES } from '../src/line-diff.js';

const show = (a: string, b: string) =>
  lineDiff(a, b)?.map(
    (r) =>
      `${r.kind} ${r.left?.n ?? '-'}:${r.left?.text ?? ''} | ${r.right?.n ?? '-'}:${r.right?.text ?? ''}`,
  );

describe('lineDiff', () => {
  it('identical texts: every line the same', () => {
    expect(show('a\nb', 'a\nb')).toEqual(['same 1:a | 1:a', 'same 2:b | 2:b']);
  });

  it('pairs a removed run with the added run after it as changed lines', () => {
    expect(show('a\nmessage: hi\nc', 'a\nmessage: hello\nc')).toEqual([
      'same 1:a | 1:a',
      'changed 2:message: hi | 2:message: hello',
      'same 3:c | 3:c',
    ]);
  });

  it('keeps line numbers of both sides through insertions and deletions', () => {
    expect(show('a\nb\nc\nd', 'a\nx\nc\nd\ne')).toEqual([
      'same 1:a | 1:a',
      'changed 2:b | 2:x',
      'same 3:c | 3:c',
      'same 4:d | 4:d',
      'added -: | 5:e',
    ]);
    expect(show('a\nb\nc', 'c')).toEqual(['removed 1:a | -:', 'removed 2:b | -:', 'same 3:c | 1:c']);
    expect(show('', 'x')).toEqual(['changed 1: | 1:x']);
  });

  it('gives up (null) on texts too long or too different to align', () => {
    const long = Array.from({ length: MAX_DIFF_LINES + 1 }, (_, i) => String(i)).join('\n');
    expect(lineDiff(long, 'x')).toBeNull();
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`).join('\n');
    expect(lineDiff(a, b)).toBeNull();
  });

  it('reconstructs both texts from its rows (random edits)', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let run = 0; run < 200; run++) {
      const a = Array.from({ length: Math.floor(random() * 30) }, () => String(Math.floor(random() * 6)));
      const b = a.flatMap((line) => (random() < 0.2 ? [] : random() < 0.2 ? [line, 'new'] : [line]));
      const rows = lineDiff(a.join('\n'), b.join('\n'))!;
      expect(rows.filter((r) => r.left).map((r) => r.left!.text)).toEqual(a.join('\n').split('\n'));
      expect(rows.filter((r) => r.right).map((r) => r.right!.text)).toEqual(b.join('\n').split('\n'));
    }
  });
});
