import type { Figure } from './figures.js';

type Row = Record<string, string | number>;

/** Left-aligned text columns (numbers right-aligned), one header line; for the terminal. */
export function formatTable(rows: readonly Row[]): string {
  const headers = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (row: Row, h: string) => String(row[h] ?? '');
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((row) => cell(row, h).length)));
  const line = (cells: string[], numeric: boolean[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const numeric = headers.map((h) => rows.every((row) => typeof row[h] !== 'string'));
  return [
    line(headers, numeric),
    line(
      widths.map((w) => '-'.repeat(w)),
      numeric,
    ),
    ...rows.map((row) =>
      line(
        headers.map((h) => cell(row, h)),
        numeric,
      ),
    ),
  ].join('\n');
}

/** One row per figure, whatever its kind: name, then median/p99/runs or the value. */
export function figureRows(figures: readonly Figure[]): Row[] {
  return figures.map(_figureRow);
}

function _figureRow(f: Figure): Row {
  if (f.kind === 'timing') {
    return { figure: f.name, median: f.median, p99: f.p99, runs: f.runs, unit: f.unit, note: f.note ?? '' };
  }
  if (f.kind === 'ratio')
    return { figure: f.name, median: f.value, p99: '', runs: '', unit: '×', note: f.compares };
  return { figure: f.name, median: f.value, p99: '', runs: '', unit: f.unit ?? '', note: f.note ?? '' };
}
