import { describe, expect, it } from 'vitest';
import { PgConfigStore } from '../src/index.js';
import { resolveOptions } from '../src/options.js';

describe('resolveOptions', () => {
  it('defaults: schema cfg, channels cfg_config_changed and cfg_fleet, backoff 100 ms capped at 10 s, prepared statements, timeouts', () => {
    expect(resolveOptions()).toEqual({
      schema: 'cfg',
      quotedSchema: '"cfg"',
      channel: 'cfg_config_changed',
      fleetChannel: 'cfg_fleet',
      reconnectDelayMs: 100,
      maxReconnectDelayMs: 10_000,
      preparedStatements: true,
      statementTimeoutMs: 5_000,
      lockTimeoutMs: 2_000,
      connectTimeoutMs: 5_000,
      logger: undefined,
    });
  });

  it('timeouts are whole milliseconds from 0 (off) to 2^31 - 1', () => {
    expect(resolveOptions({ lockTimeoutMs: 0, statementTimeoutMs: 2_147_483_647 })).toMatchObject({
      lockTimeoutMs: 0,
      statementTimeoutMs: 2_147_483_647,
    });
    for (const bad of [-1, 1.5, Number.NaN, 2_147_483_648]) {
      expect(() => resolveOptions({ connectTimeoutMs: bad })).toThrow(RangeError);
    }
  });

  it('derives the channel from the schema unless given', () => {
    expect(resolveOptions({ schema: 'Tenant_A' })).toMatchObject({
      quotedSchema: '"Tenant_A"',
      channel: 'Tenant_A_config_changed',
    });
    expect(resolveOptions({ schema: 'x', channel: 'mine' }).channel).toBe('mine');
    expect(resolveOptions({ schema: 'Tenant_A' }).fleetChannel).toBe('Tenant_A_fleet');
    expect(resolveOptions({ schema: 'x', fleetChannel: 'ours' }).fleetChannel).toBe('ours');
  });

  it('validates schema and channel before any SQL exists', () => {
    expect(() => new PgConfigStore({} as never, { schema: 'x; drop' })).toThrow(/invalid schema/);
    expect(() => new PgConfigStore({} as never, { channel: 'a-b' })).toThrow(/invalid channel/);
    expect(() => new PgConfigStore({} as never, { fleetChannel: 'a-b' })).toThrow(/invalid fleetChannel/);
    // A derived channel that would be too long must be passed explicitly.
    expect(() => resolveOptions({ schema: 's'.repeat(60) })).toThrow(/invalid channel/);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(resolveOptions())).toBe(true);
  });
});
