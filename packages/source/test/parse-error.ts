import { expect } from 'vitest';
import { ConfigParseError } from '../src/index.js';

/** Runs `run`, which must throw a `ConfigParseError`, and returns that error. */
export function catchParseError(run: () => unknown): ConfigParseError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigParseError);
    return error as ConfigParseError;
  }
  throw new Error('expected a ConfigParseError');
}
