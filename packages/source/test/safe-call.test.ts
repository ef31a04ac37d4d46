import { describe, expect, it } from 'vitest';
import { callSafely } from '../src/index.js';

describe('callSafely', () => {
  it('hands a throw and a rejection to onFailure, never to the caller, and calls the next listener', async () => {
    const failures: unknown[] = [];
    const called: string[] = [];
    const listeners = [
      () => {
        called.push('throws');
        throw new Error('sync');
      },
      async () => {
        called.push('rejects');
        throw new Error('async');
      },
      () => called.push('fine'),
    ];
    for (const listener of listeners) callSafely(listener, (error) => failures.push(error));
    expect(called).toEqual(['throws', 'rejects', 'fine']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures.map((e) => (e as Error).message)).toEqual(['sync', 'async']);
  });

  it('drops what a listener returns', () => {
    expect(
      callSafely(
        () => 42,
        () => undefined,
      ),
    ).toBeUndefined();
  });
});
