import { InvalidArgumentError } from 'commander';

/** Highest TCP port. */
const MAX_PORT = 65_535;

/** An integer option of at least `min` (commander reports a bad value as a usage error). */
export const integer =
  (min: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };

/** A TCP port from `min` (0: any free port) to 65535. */
export const port =
  (min: 0 | 1) =>
  (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > MAX_PORT)
      throw new InvalidArgumentError(`expected a port number from ${min} to ${MAX_PORT}`);
    return n;
  };

/** Units of a duration; a bare number is seconds. */
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** A duration such as `30s`, `500ms`, `2m` or `45` (seconds), as milliseconds, from 0 up to `maxMs`. */
export const duration =
  (maxMs: number) =>
  (value: string): number => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
    const ms = match ? Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 's']!) : Number.NaN;
    if (!Number.isFinite(ms) || ms > maxMs)
      throw new InvalidArgumentError(
        `expected a duration such as 30s, 500ms or 2m, at most ${maxMs / 1000}s`,
      );
    return ms;
  };
