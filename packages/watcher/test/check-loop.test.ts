import { type AppConfig, type ConfigSnapshot, type ConfigSource, hashBytes, parseConfig } from '@cfg/source';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckLoop, type CheckLoopOptions } from '../src/check-loop.js';
import { configText, Recorder } from './helpers.js';

/** A source in memory; `hashOverride` makes hash() disagree with the data, like a stale hash column. */
class TextSource implements ConfigSource {
  readonly name = 'memory:test';
  text = configText(0);
  hashOverride: string | undefined;
  failing = false;
  loads = 0;
  /** `Date.now()` (faked) of every hash read. */
  readonly hashTimes: number[] = [];

  async hash(): Promise<string> {
    this.hashTimes.push(Date.now());
    if (this.failing) throw new Error('source down');
    return this.hashOverride ?? hashBytes(this.text);
  }

  async load(): Promise<ConfigSnapshot> {
    this.loads++;
    if (this.failing) throw new Error('source down');
    const config = parseConfig(this.text, { filename: this.name });
    return { config, hash: hashBytes(this.text), source: this.name, loadedAt: new Date() };
  }
}

// Pure timing logic, so fake timers: the file-system suites cover the real thing.
describe('CheckLoop', () => {
  let source: TextSource;
  let recorder: Recorder;
  let loop: CheckLoop;

  function create(opts: Partial<CheckLoopOptions<AppConfig>> = {}): CheckLoop {
    loop = new CheckLoop({
      source,
      onChange: recorder.onChange,
      onError: recorder.onError,
      logger: undefined,
      probe: () => source.hash(),
      debounceMs: 100,
      maxWaitMs: 1000,
      confirmDelayMs: 0,
      periodMs: 0,
      ...opts,
    });
    loop.begin(hashBytes(source.text), false);
    return loop;
  }

  beforeEach(() => {
    vi.useFakeTimers();
    source = new TextSource();
    recorder = new Recorder();
  });

  afterEach(() => {
    loop.stop();
    vi.useRealTimers();
  });

  it('checks debounceMs after the last notification (trailing)', async () => {
    create();
    source.text = configText(1);
    for (let i = 0; i < 3; i++) {
      loop.notify();
      await vi.advanceTimersByTimeAsync(60);
    }
    expect(loop.stats.checks).toBe(0);
    await vi.advanceTimersByTimeAsync(40);
    expect(loop.stats.checks).toBe(1);
    expect(recorder.changes).toHaveLength(1);
  });

  it('checks at least every maxWaitMs while notifications never stop', async () => {
    create();
    for (let t = 0; t < 2500; t += 50) {
      source.text = configText(t);
      loop.notify();
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(loop.stats.checks).toBe(2);
    expect(recorder.changes.map((c) => c.snapshot.config.revision)).toEqual([950, 1950]);
  });

  it('re-checks after confirmDelayMs when the bytes moved without a notification', async () => {
    create({ debounceMs: 0, confirmDelayMs: 60 });
    source.text = configText(1);
    loop.notify();
    await vi.advanceTimersByTimeAsync(1);
    source.text = configText(2); // its event was lost
    await vi.advanceTimersByTimeAsync(60);
    expect(recorder.changes.map((c) => c.snapshot.config.revision)).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(loop.stats.checks).toBe(2);
  });

  it('backs off exponentially after failures, capped, and resets on success', async () => {
    create({ debounceMs: 0, retry: { minMs: 100, maxMs: 500 } });
    source.failing = true;
    loop.notify();
    await vi.advanceTimersByTimeAsync(2000);
    const times = source.hashTimes;
    const gaps = times.slice(1).map((at, i) => at - times[i]!);
    expect(gaps).toEqual([100, 200, 400, 500, 500]);
    expect(recorder.errors).toHaveLength(times.length);
    source.failing = false;
    source.text = configText(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(recorder.changes).toHaveLength(1);
  });

  it('reports a throwing onChange as CFG_WATCH_HANDLER and counts the change as delivered', async () => {
    const cause = new Error('reload failed');
    loop = new CheckLoop({
      source,
      onChange: () => Promise.reject(cause),
      onError: recorder.onError,
      logger: undefined,
      probe: () => source.hash(),
      debounceMs: 0,
      maxWaitMs: 0,
      confirmDelayMs: 0,
      periodMs: 0,
    });
    loop.begin(null, true);
    await vi.advanceTimersByTimeAsync(1);
    expect(recorder.errors).toEqual([expect.objectContaining({ code: 'CFG_WATCH_HANDLER', cause })]);
    expect(loop.lastHash).toBe(hashBytes(source.text));
    expect(loop.stats).toMatchObject({ changes: 1, errors: 1 });
  });

  it('delivers once from a source whose hash() disagrees with its data, then stays quiet', async () => {
    create({ debounceMs: 0, periodMs: 50 });
    source.text = configText(1);
    source.hashOverride = 'stale';
    await vi.advanceTimersByTimeAsync(500);
    expect(recorder.changes.map((c) => c.newHash)).toEqual([hashBytes(configText(1))]);
    expect(source.loads).toBeGreaterThan(2);
  });

  it('an onError or onRecover that throws or rejects is logged, and checking goes on', async () => {
    const logged: string[] = [];
    const error = (_fields: unknown, message?: string) => logged.push(message ?? '');
    const logger = { debug: () => {}, info: () => {}, warn: () => {}, error };
    let calls = 0;
    create({
      logger,
      retry: { minMs: 10, maxMs: 10 },
      onError: () => {
        calls++;
        if (calls === 1) throw new Error('sync bug');
        return Promise.reject(new Error('async bug'));
      },
      onRecover: () => {
        throw new Error('recover bug');
      },
    });
    source.failing = true;
    loop.notify();
    await vi.advanceTimersByTimeAsync(150);
    source.failing = false;
    source.text = configText(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(logged.slice(0, 2)).toEqual(['onError threw', 'onError threw']);
    expect(logged).toContain('onRecover threw');
    expect(recorder.changes).toHaveLength(1);
  });

  it('stop() clears every timer and delivers nothing more', async () => {
    create({ confirmDelayMs: 60, periodMs: 1000 });
    source.text = configText(1);
    loop.notify();
    loop.stop();
    loop.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(loop.stats.checks).toBe(0);
  });
});
