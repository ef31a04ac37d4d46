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
