import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { onShutdownSignals } from '../../src/serve/shutdown.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function setup(steps: { name: string; run: () => Promise<unknown> }[], timeoutMs?: number) {
  const signals = new EventEmitter();
  const exited = new Promise<number>((resolve) =>
    onShutdownSignals({ steps, logger: quiet, signals, exit: resolve, ...(timeoutMs ? { timeoutMs } : {}) }),
  );
  return { signals, exited };
}

describe('onShutdownSignals', () => {
  it('runs every step in order, even after one fails, then exits 0', async () => {
    const order: string[] = [];
    const { signals, exited } = setup([
      { name: 'a', run: async () => order.push('a') },
      { name: 'b', run: () => Promise.reject(new Error('b broke')) },
      { name: 'c', run: async () => order.push('c') },
    ]);
    signals.emit('SIGTERM');
    expect(await exited).toBe(0);
    expect(order).toEqual(['a', 'c']);
  });

  it('a second signal right after the first (Ctrl-C via the terminal and pnpm) does not cut shutdown short', async () => {
    let finish!: () => void;
    const run = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const { signals, exited } = setup([{ name: 'slow', run }]);
    signals.emit('SIGINT');
    signals.emit('SIGINT');
    finish();
    expect(await exited).toBe(0);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('SIGHUP (a closed terminal) shuts down like SIGINT and SIGTERM', async () => {
    const order: string[] = [];
    const { signals, exited } = setup([
      { name: 'stop the database', run: async () => order.push('stopped') },
    ]);
    signals.emit('SIGHUP');
    expect(await exited).toBe(0);
    expect(order).toEqual(['stopped']);
  });

  it('exits 1 when the steps outlast the timeout', async () => {
    const { signals, exited } = setup([{ name: 'stuck', run: () => new Promise(() => {}) }], 20);
    signals.emit('SIGTERM');
    expect(await exited).toBe(1);
  });
});
