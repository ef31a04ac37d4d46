import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { integer, port } from '../../src/cli/parsers.js';

describe('option parsers', () => {
  it('port: 0 (or 1) to 65535, integers only', () => {
    expect(port(0)('0')).toBe(0);
    expect(port(0)('65535')).toBe(65535);
    expect(port(1)('5432')).toBe(5432);
    for (const bad of ['65536', '-1', '8080.5', 'http', '', ' ']) {
      expect(() => port(0)(bad), bad).toThrow(InvalidArgumentError);
    }
    expect(() => port(1)('0')).toThrow('expected a port number from 1 to 65535');
  });

  it('integer: at least min', () => {
    expect(integer(1)('3')).toBe(3);
    expect(() => integer(1)('0')).toThrow('expected an integer >= 1');
  });
});
