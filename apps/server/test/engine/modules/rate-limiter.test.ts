import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_RPS, rateLimiterType } from '../../../src/engine/modules/rate-limiter.js';
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

  it('refuses rates too small for a whole-number Retry-After (5e-324 gave "Infinity")', () => {
    for (const rps of [5e-324, 1e-9, MIN_RPS / 2]) {
      expect(() => createModule(rateLimiterType, { rps }), String(rps)).toThrow(/one request a day/);
    }
    const slowest = createModule(rateLimiterType, { rps: MIN_RPS, burst: 1 }, { now: () => 0 });
    slowest.limit('/hello');
    expect(slowest.limit('/hello')).toMatchObject({ allowed: false, retryAfterSeconds: 86_400 });
  });

  it('every accepted rps and burst gives Retry-After as a whole number of seconds, 1 to 86400', () => {
    fc.assert(
      fc.property(
        fc.double({ min: MIN_RPS, max: 1_000_000, noNaN: true }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.double({ min: 0, max: 1e7, noNaN: true }), { maxLength: 5 }),
        (rps, burst, steps) => {
          const clock = manualClock();
          const limiter = createModule(rateLimiterType, { rps, burst }, { now: clock.now });
          for (const ms of steps) {
            clock.advance(ms);
            for (let i = 0; i < Math.min(burst, 1000) + 1; i++) {
              const decision = limiter.limit('/hello');
              if (decision?.allowed !== false) continue;
              expect(Number.isInteger(decision.retryAfterSeconds)).toBe(true);
              expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(1);
              expect(decision.retryAfterSeconds).toBeLessThanOrEqual(86_400);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
