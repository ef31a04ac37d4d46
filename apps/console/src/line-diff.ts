/** One row of a side-by-side diff: a line on the left, on the right, or both (unchanged). */
export interface DiffRow {
  kind: 'same' | 'removed' | 'added' | 'changed';
  left?: { n: number; text: string };
  right?: { n: number; text: string };
}

/** Longest texts compared line by line; longer ones are shown without alignment. */
export const MAX_DIFF_LINES = 20_000;
/** The diff gives up (and shows both texts unaligned) beyond this many differing lines. */
const MAX_EDITS = 2_000;

/**
 * A side-by-side line diff of `a` and `b` (Myers' O((n+m)·d) algorithm, bounded by `MAX_EDITS`): runs
 * of removed lines followed by added ones are paired up as `changed` rows. Returns `null` when the
 * texts are too long or too different to align.
 */
export function lineDiff(a: string, b: string): DiffRow[] | null {
  const left = a.split('\n');
  const right = b.split('\n');
  if (left.length > MAX_DIFF_LINES || right.length > MAX_DIFF_LINES) return null;
  const script = _editScript(left, right);
  if (!script) return null;
  const rows: DiffRow[] = [];
  let i = 0;
  let j = 0;
  for (let k = 0; k < script.length; ) {
    if (script[k] === '=') {
      rows.push({ kind: 'same', left: { n: i + 1, text: left[i]! }, right: { n: j + 1, text: right[j]! } });
      i++;
      j++;
      k++;
      continue;
    }
    const removed: number[] = [];
    const added: number[] = [];
    while (k < script.length && script[k] !== '=') {
      if (script[k] === '-') removed.push(i++);
      else added.push(j++);
      k++;
    }
    for (let p = 0; p < Math.max(removed.length, added.length); p++) {
      const l = removed[p];
      const r = added[p];
      rows.push({
        kind: l !== undefined && r !== undefined ? 'changed' : l !== undefined ? 'removed' : 'added',
        ...(l === undefined ? {} : { left: { n: l + 1, text: left[l]! } }),
        ...(r === undefined ? {} : { right: { n: r + 1, text: right[r]! } }),
      });
    }
  }
  return rows;
}

/** The edit script from `a` to `b` as '=', '-', '+' steps, or `null` past `MAX_EDITS`. */
function _editScript(a: readonly string[], b: readonly string[]): string[] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDITS);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)
          ? v[offset + k + 1]!
          : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return _backtrack(trace, a, b, offset, d);
    }
  }
  return null;
}

function _backtrack(
  trace: Int32Array[],
  a: readonly string[],
  b: readonly string[],
  offset: number,
  d: number,
): string[] {
  const steps: string[] = [];
  let x = a.length;
  let y = b.length;
  for (let step = d; step > 0; step--) {
    const v = trace[step]!;
    const k = x - y;
    const prevK = k === -step || (k !== step && v[offset + k - 1]! < v[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = v[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      steps.push('=');
      x--;
      y--;
    }
    steps.push(x === prevX ? '+' : '-');
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    steps.push('=');
    x--;
    y--;
  }
  return steps.reverse();
}
