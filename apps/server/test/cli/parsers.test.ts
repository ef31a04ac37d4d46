import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { duration, integer, port } from '../../src/cli/parsers.js';
import { collectLabels } from '../../src/fleet/labels.js';
import { moduleTypes, registryOf } from '../../src/fleet/module-types.js';

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

describe('duration (cfg push --wait=<timeout>)', () => {
  const parse = duration(3_600_000);
  it('reads ms, s, m and bare seconds', () => {
    expect(parse('500ms')).toBe(500);
    expect(parse('30s')).toBe(30_000);
    expect(parse('2m')).toBe(120_000);
    expect(parse('45')).toBe(45_000);
    expect(parse('1.5')).toBe(1500);
    expect(parse('0')).toBe(0);
  });
  it('refuses anything else, and more than the maximum', () => {
    for (const bad of ['', 'soon', '-1s', '1h', '10 s', '61m', 'Infinity'])
      expect(() => parse(bad), bad).toThrow(InvalidArgumentError);
  });
});

describe('collectLabels (cfg serve --label, CFG_LABELS)', () => {
  it('collects repeated flags and comma-separated lists; a later value wins', () => {
    expect(collectLabels('zone=a')).toEqual({ zone: 'a' });
    expect(collectLabels('release=1.4, zone=b', { zone: 'a' })).toEqual({ zone: 'b', release: '1.4' });
    expect(collectLabels('empty=')).toEqual({ empty: '' });
  });
  it('refuses a label without "=", a bad name, a long value, more than 32', () => {
    expect(() => collectLabels('zone')).toThrow(InvalidArgumentError);
    expect(() => collectLabels('bad name=x')).toThrow(InvalidArgumentError);
    expect(() => collectLabels(`v=${'x'.repeat(256)}`)).toThrow(/255/);
    const many = Array.from({ length: 33 }, (_, i) => `l${i}=x`).join(',');
    expect(() => collectLabels(many)).toThrow(/at most 32/);
  });
});

describe('moduleTypes (cfg serve --module-types)', () => {
  it('a subset of the built-in types; the registry then knows only those', () => {
    expect(moduleTypes('greeter, rate-limiter')).toEqual(['greeter', 'rate-limiter']);
    expect(
      registryOf(['greeter'])
        .list()
        .map((t) => t.type),
    ).toEqual(['greeter']);
    expect(registryOf(undefined).list()).toHaveLength(6);
  });
  it('refuses unknown names and an empty list', () => {
    expect(() => moduleTypes('greeter,teleporter')).toThrow(/unknown: teleporter/);
    expect(() => moduleTypes(' , ')).toThrow(InvalidArgumentError);
  });
});
