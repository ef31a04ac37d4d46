import { afterEach, describe, expect, it, vi } from 'vitest';
import { runWithTimeout } from '../src/index.js';

afterEach(() => {
  vi.useRealTimers();
});

/** The error the timeout rejects with: the caller's own. */
class Late extends Error {}

describe('runWithTimeout', () => {
  it('settles as the work does within the limit, and leaves no timer', async () => {
    vi.useFakeTimers();
    await expect(
      runWithTimeout(
        50,
        async () => 'value',
        () => new Late(),
      ),
    ).resolves.toBe('value');
    await expect(
      runWithTimeout(
        50,
        () => {
          throw new Error('sync');
        },
        () => new Late(),
      ),
    ).rejects.toThrow('sync');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with timeoutError() at the limit, and aborts the signal with it', async () => {
    vi.useFakeTimers();
    let seen: AbortSignal | undefined;
    const never = runWithTimeout(
      50,
      (signal) => {
        seen = signal;
        return new Promise(() => {});
      },
      () => new Late('too slow'),
    );
    const rejected = expect(never).rejects.toBeInstanceOf(Late);
    await vi.advanceTimersByTimeAsync(50);
    await rejected;
    expect(seen?.reason).toBeInstanceOf(Late);
  });
});
