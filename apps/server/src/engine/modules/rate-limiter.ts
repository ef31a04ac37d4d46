import { z } from 'zod';
import { InPlaceModule } from '../in-place-module.js';
import type { LimitDecision, ModuleContext, ModuleType } from '../types.js';

/**
 * The slowest rate: one request a day. `Retry-After` is at most `ceil(1 / rps)` seconds, so it stays
 * a whole number of seconds no larger than a day; below this (`rps: 5e-324`) it reached `Infinity`.
 */
export const MIN_RPS = 1 / 86_400;

const schema = z
  .strictObject({
    /** Tokens added per second: from one a day (`MIN_RPS`) to a million. */
    rps: z
      .number()
      .min(
        MIN_RPS,
        'rps is at least 1/86400 (one request a day), so Retry-After stays a whole number of seconds',
      )
      .max(1_000_000),
    /** Bucket size: how many requests may arrive at once. Defaults to `ceil(rps)`. */
    burst: z.number().int().min(1).max(1_000_000).optional(),
    /** Paths this limiter covers. */
    paths: z.array(z.string().startsWith('/')).min(1).default(['/hello']),
  })
  .transform((c) => ({ ...c, burst: c.burst ?? Math.ceil(c.rps) }));

export type RateLimiterConfig = z.infer<typeof schema>;

/**
 * A token bucket over the configured paths; an empty bucket answers 429 with `Retry-After`.
 * Reconfigurable: a new rate or burst applies in place and keeps the tokens already earned
 * (capped at the new burst), so a reload neither refills nor empties the bucket.
 */
export class RateLimiter extends InPlaceModule<RateLimiterConfig> {
  readonly #now: () => number;
  #tokens: number;
  #refilledAt: number;

  constructor(ctx: ModuleContext<RateLimiterConfig>) {
    super(rateLimiterType, ctx);
    this.#now = ctx.now;
    this.#tokens = ctx.config.burst;
    this.#refilledAt = ctx.now();
  }

  limit(path: string): LimitDecision | null {
    if (!this.config.paths.includes(path)) return null;
    this.#refill();
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { allowed: true };
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - this.#tokens) / this.config.rps));
    return { allowed: false, retryAfterSeconds, limiter: this.name };
  }

  /** Tokens left now (fractional), for tests and the API. */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  protected override apply(next: RateLimiterConfig): void {
    this.#refill(); // earn what the old rate owes up to now, then switch rates
    this.#tokens = Math.min(this.#tokens, next.burst);
  }

  #refill(): void {
    const now = this.#now();
    const earned = ((now - this.#refilledAt) / 1000) * this.config.rps;
    this.#tokens = Math.min(this.config.burst, this.#tokens + earned);
    this.#refilledAt = now;
  }
}

export const rateLimiterType: ModuleType<RateLimiterConfig, RateLimiter> = {
  type: 'rate-limiter',
  description: 'Token bucket (rps, burst) over the listed paths (default /hello); 429 when empty.',
  reconfigurable: true,
  configSchema: schema,
  routes: () => [],
  create: (ctx) => new RateLimiter(ctx),
};
