import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReloadError } from '../src/errors.js';
import { withTimeout } from '../src/with-timeout.js';

const SPEC = { ms: 1_000, step: 'module "db" reconfigure', fix: 'raise moduleTimeoutMs' };

afterEach(() => {
  vi.useRealTimers();
});

describe('withTimeout', () => {
  it('resolves with the value and clears its timer', async () => {
    vi.useFakeTimers();
    await expect(withTimeout(SPEC, async () => 42)).resolves.toBe(42);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('turns a synchronous throw into a rejection and clears its timer', async () => {
    vi.useFakeTimers();
    const work = () => {
      throw new Error('sync');
    };
    await expect(withTimeout(SPEC, work)).rejects.toThrow('sync');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at the deadline even if the work never settles, and aborts its signal', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const running = withTimeout(SPEC, (s) => {
      signal = s;
      return new Promise(() => {});
    });
    const settled = expect(running).rejects.toMatchObject({
      name: 'ReloadError',
      code: 'CFG_RELOAD_TIMEOUT',
      message: 'module "db" reconfigure did not finish within 1000 ms; raise moduleTimeoutMs',
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await settled;
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(ReloadError);
  });

  it('swallows a rejection that arrives after the deadline', async () => {
    vi.useFakeTimers();
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const late = withTimeout(
        SPEC,
        () => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 2_000)),
      );
      const settled = expect(late).rejects.toMatchObject({ code: 'CFG_RELOAD_TIMEOUT' });
      await vi.advanceTimersByTimeAsync(3_000);
      await settled;
      vi.useRealTimers();
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('sets no timer for Infinity', async () => {
    vi.useFakeTimers();
    const running = withTimeout({ ...SPEC, ms: Number.POSITIVE_INFINITY }, () => 'done');
    expect(vi.getTimerCount()).toBe(0);
    await expect(running).resolves.toBe('done');
  });
});
