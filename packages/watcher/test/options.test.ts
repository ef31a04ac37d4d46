import { describe, expect, it } from 'vitest';
import { resolvePollerOptions, resolveWatcherOptions } from '../src/options.js';

describe('options', () => {
  it('resolves the documented defaults once, frozen', () => {
    const opts = resolveWatcherOptions();
    expect(opts).toEqual({
      debounceMs: 100,
      maxWaitMs: 1000,
      settleMs: 10,
      alwaysSettle: false,
      confirmDelayMs: 60,
      resyncIntervalMs: 30_000,
      usePolling: false,
      pollIntervalMs: 100,
    });
    expect(Object.isFrozen(opts)).toBe(true);
    expect(resolvePollerOptions()).toEqual({ intervalMs: 5000, retryMinMs: 250, allowInitialFailure: false });
  });

  it('keeps a default when an option is passed as undefined', () => {
    expect(resolveWatcherOptions({ debounceMs: undefined, settleMs: 0 })).toMatchObject({
      debounceMs: 100,
      settleMs: 0,
    });
  });

  it('rejects invalid values with CFG_WATCH_OPTIONS and says which', () => {
    expect(() => resolveWatcherOptions({ debounceMs: -1 })).toThrow(
      expect.objectContaining({ code: 'CFG_WATCH_OPTIONS', message: expect.stringContaining('debounceMs') }),
    );
    expect(() => resolveWatcherOptions({ debounceMs: 500, maxWaitMs: 100 })).toThrow(/maxWaitMs \(100\)/);
    expect(() => resolvePollerOptions({ intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => resolveWatcherOptions({ settleMs: Number.NaN })).toThrow(/settleMs/);
  });
});
