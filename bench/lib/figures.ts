import { round, type Stats } from './stats.js';

/** A time distribution: median / p99 / min / max over `runs` samples. */
export interface TimingFigure extends Stats {
  kind: 'timing';
  name: string;
  unit: 'ms' | 'µs';
  note?: string;
}

/** `value` = numerator / denominator; `compares` says what over what, in words. */
export interface RatioFigure {
  kind: 'ratio';
  name: string;
  value: number;
  compares: string;
}

/** A single reading (memory, a count, a verdict). */
export interface ValueFigure {
  kind: 'value';
  name: string;
  value: number | string;
  unit?: string;
  note?: string;
}

export type Figure = TimingFigure | RatioFigure | ValueFigure;

export const FIGURE_KINDS: readonly Figure['kind'][] = ['timing', 'ratio', 'value'];

/** A timing figure from stats in milliseconds; `unit: 'µs'` converts. */
export function timing(
  name: string,
  statsMs: Stats,
  options: { unit?: TimingFigure['unit']; note?: string } = {},
): TimingFigure {
  const unit = options.unit ?? 'ms';
  const scale = unit === 'µs' ? 1000 : 1;
  const at = (ms: number) => round(ms * scale, 4);
  return {
    kind: 'timing',
    name,
    unit,
    median: at(statsMs.median),
    p99: at(statsMs.p99),
    min: at(statsMs.min),
    max: at(statsMs.max),
    runs: statsMs.runs,
    ...(options.note ? { note: options.note } : {}),
  };
}

export function ratio(name: string, numerator: number, denominator: number, compares: string): RatioFigure {
  return { kind: 'ratio', name, value: round(numerator / denominator, 3), compares };
}

export function value(name: string, reading: number | string, unit?: string, note?: string): ValueFigure {
  return {
    kind: 'value',
    name,
    value: typeof reading === 'number' ? round(reading, 3) : reading,
    ...(unit ? { unit } : {}),
    ...(note ? { note } : {}),
  };
}
