import { describe, expect, it } from 'vitest';
import { rateLimiterType } from '../../../src/engine/modules/rate-limiter.js';
import { createModule } from '../../helpers/modules.js';

/** A clock the test moves by hand: token buckets are pure timing logic. */
function manualClock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('rate-limiter', () => {
  it('allows a burst, then refuses with Retry-After until tokens are earned', () => {
    const clock = manualClock();
    const limiter = createModule(rateLimiterType, { rps: 2, burst: 3 }, { now: clock.now });
    const decisions = Array.from({ length: 4 }, () => limiter.limit('/hello'));
    expect(decisions.map((d) => d?.allowed)).toEqual([true, true, true, false]);
    expect(decisions[3]).toEqual({ allowed: false, retryAfterSeconds: 1, limiter: 'rate-limiter' });
    clock.advance(500); // 2 rps → one token
    expect(limiter.limit('/hello')?.allowed).toBe(true);
    expect(limiter.limit('/hello')?.allowed).toBe(false);
  });

  it('covers only its paths (default /hello)', () => {
    const limiter = createModule(rateLimiterType, { rps: 1, burst: 1 });
    expect(limiter.limit('/flags')).toBeNull();
    const custom = createModule(rateLimiterType, { rps: 1, paths: ['/flags'] });
    expect(custom.limit('/hello')).toBeNull();
    expect(custom.limit('/flags')?.allowed).toBe(true);
  });

  it('burst defaults to ceil(rps)', () => {
    expect(createModule(rateLimiterType, { rps: 2.5 }).config.burst).toBe(3);
  });

  it('a new rate keeps earned tokens, capped at the new burst', () => {
    const clock = manualClock();
    const limiter = createModule(rateLimiterType, { rps: 10, burst: 10 }, { now: clock.now });
    for (let i = 0; i < 8; i++) limiter.limit('/hello');
    expect(limiter.tokens).toBe(2);
    limiter.reconfigure({ name: 'l', type: 'rate-limiter', config: { rps: 1, burst: 1 } });
    expect(limiter.tokens).toBe(1);
    clock.advance(1000);
    expect(limiter.tokens).toBe(1);
  });

  it('rejects rps <= 0 and a fractional burst', () => {
    const limiter = createModule(rateLimiterType, { rps: 1 });
    expect(() =>
      limiter.prepareReconfigure({ name: 'l', type: 'rate-limiter', config: { rps: -1 } }),
    ).toThrow(/modules\.l\.config\.rps/);
    expect(() =>
      limiter.prepareReconfigure({ name: 'l', type: 'rate-limiter', config: { rps: 1, burst: 1.5 } }),
    ).toThrow(/burst/);
  });
});
