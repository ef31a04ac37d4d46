import { DatabaseSource } from '@cfg/source';
import { MemoryConfigStore } from '@cfg/source/test';
import { describe, expect, it, vi } from 'vitest';
import { SourcePoller, type SourcePollerOptions } from '../src/index.js';
import { configText, hashOf, Recorder, until, useFixtures } from './helpers.js';

describe('SourcePoller', () => {
  const { track } = useFixtures();

  /** A store holding revision 0, a DatabaseSource over it, and a started poller. */
  async function setup(opts: SourcePollerOptions & { push?: boolean } = {}, recorder = new Recorder()) {
    const { push, ...pollerOpts } = opts;
    const store = new MemoryConfigStore();
    store.put('default', configText(0));
    const poller = track(
      new SourcePoller(new DatabaseSource(push ? store : store.withoutPush()), recorder.onChange, {
        onError: recorder.onError,
        ...pollerOpts,
      }),
    );
    await poller.start();
    return { store, poller, recorder };
  }

  it('12a. detects a change on the interval', async () => {
    const { store, poller, recorder } = await setup({ intervalMs: 30 });
    expect(poller.lastHash).toBe(hashOf(configText(0)));
    store.put('default', configText(1));
    const change = await recorder.nextChange();
    expect(change).toMatchObject({ source: 'database:default', oldHash: hashOf(configText(0)) });
    expect(change.newHash).toBe(hashOf(configText(1)));
    expect(change.snapshot.version).toBe(2);
    expect(change.snapshot.config.revision).toBe(1);
    expect(poller.stats.events).toBe(0);
  });

  it('12b. a push hint checks at once, long before the interval', async () => {
    const { store, poller, recorder } = await setup({ intervalMs: 600_000, push: true });
    const checks = poller.stats.checks;
    store.put('default', configText(1));
    const change = await recorder.nextChange();
    expect(change.snapshot.config.revision).toBe(1);
    expect(poller.stats.events).toBe(1);
    expect(poller.stats.checks).toBe(checks + 1);
  });

  it('a push hint is checked on the next turn of the event loop, not after a timer (debounce 0)', async () => {
    const { store, recorder } = await setup({ intervalMs: 600_000, push: true });
    // With timers frozen, only a check started without one can deliver.
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval'] });
    try {
      store.put('default', configText(1));
      for (let turn = 0; turn < 100 && recorder.changes.length === 0; turn++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(recorder.changes.map((c) => c.snapshot.config.revision)).toEqual([1]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('nudge() checks a source that cannot signal, long before the interval', async () => {
    const { store, poller, recorder } = await setup({ intervalMs: 600_000 });
    store.put('default', configText(1));
    poller.nudge();
    const change = await recorder.nextChange();
    expect(change.snapshot.config.revision).toBe(1);
    expect(poller.stats.events).toBe(1);
  });

  it('12c. a failing source is reported with backoff, then recovers and delivers', async () => {
    const { store, poller, recorder } = await setup({ intervalMs: 400, retryMinMs: 20, push: true });
    const firstFailure = store.hashReadTimes.length;
    store.down = true;
    store.put('default', configText(1)); // the hint finds the store down
    // The first check takes its hash from the notice and fails on the load; each retry reads the hash.
    await until(() => recorder.errors.length >= 7);
    const reads = store.hashReadTimes.slice(firstFailure);
    store.down = false;

    const change = await recorder.changeTo(configText(1));
    expect(change.oldHash).toBe(hashOf(configText(0)));
    for (const error of recorder.errors.slice(0, 6)) expect(error).toMatchObject({ code: 'ECONNREFUSED' });
    // Retries wait 20, 40, 80, 160, 320, 400, 400 … ms: exponential, capped at the interval.
    // Timers never fire early, so each gap is at least its delay (less 1 ms of clock rounding).
    const gaps = reads.slice(1).map((at, i) => at - reads[i]!);
    expect(gaps.length).toBeGreaterThanOrEqual(5);
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(Math.min(20 * 2 ** i, 400) - 1);
    });
    expect(poller.stats.errors).toBe(recorder.errors.length);
  });

  it('onRecover: once when the source reads fine again after failures, even with nothing changed', async () => {
    let recovered = 0;
    const { store, poller, recorder } = await setup({
      intervalMs: 200,
      retryMinMs: 10,
      onRecover: () => recovered++,
    });
    await until(() => poller.stats.checks >= 2);
    expect(recovered).toBe(0); // good checks without an earlier failure are no recovery
    store.down = true;
    await until(() => recorder.errors.length >= 3);
    expect(recovered).toBe(0);
    store.down = false;
    await until(() => recovered === 1);
    const checks = poller.stats.checks;
    await until(() => poller.stats.checks >= checks + 2);
    expect(recovered).toBe(1);
    expect(recorder.changes).toEqual([]); // it came back unchanged: nothing delivered, still recovered

    // A bad document is a failure too; the same bad bytes again are no recovery, the fix is.
    store.put('default', 'modules: [unclosed\n');
    await recorder.nextError();
    const more = poller.stats.checks;
    await until(() => poller.stats.checks >= more + 2);
    expect(recovered).toBe(1);
    store.put('default', configText(1));
    await recorder.changeTo(configText(1));
    expect(recovered).toBe(2);
  });

  it('start() rejects clearly when the first read fails, unless allowInitialFailure', async () => {
    const store = new MemoryConfigStore();
    const source = new DatabaseSource(store.withoutPush());
    const failing = track(new SourcePoller(source, () => {}));
    await expect(failing.start()).rejects.toMatchObject({
      name: 'WatchError',
      code: 'CFG_WATCH_START',
      cause: { code: 'CFG_NOT_FOUND' },
    });

    const recorder = new Recorder();
    const tolerant = track(
      new SourcePoller(source, recorder.onChange, {
        allowInitialFailure: true,
        intervalMs: 1000,
        retryMinMs: 10,
        onError: recorder.onError,
      }),
    );
    await tolerant.start();
    expect(tolerant.lastHash).toBeNull();
    expect(await recorder.nextError()).toMatchObject({ code: 'CFG_NOT_FOUND' });
    store.put('default', configText(1));
    const change = await recorder.changeTo(configText(1));
    expect(change.oldHash).toBeNull();
    // The document was missing on every retry but reported once.
    expect(recorder.errors).toHaveLength(1);
  });

  it('never overlaps a slow onChange; hints meanwhile coalesce and the newest wins', async () => {
    let running = 0;
    let overlapped = false;
    const recorder = new Recorder(async () => {
      running++;
      if (running > 1) overlapped = true;
      await new Promise((resolve) => setTimeout(resolve, 100));
      running--;
    });
    const { store } = await setup({ intervalMs: 600_000, push: true }, recorder);
    for (let revision = 1; revision <= 10; revision++) {
      store.put('default', configText(revision));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await recorder.changeTo(configText(10));
    expect(overlapped).toBe(false);
    const revisions = recorder.changes.map((c) => c.snapshot.config.revision as number);
    expect(revisions.at(-1)).toBe(10);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    expect(revisions.length).toBeLessThan(10);
  });

  it('reports a bad document once and delivers the fix', async () => {
    const { store, poller, recorder } = await setup({ intervalMs: 20 });
    store.put('default', 'modules: [unclosed\n');
    const error = await recorder.nextError();
    expect(error).toMatchObject({ name: 'ConfigParseError', code: 'CFG_PARSE' });
    const checks = poller.stats.checks;
    await until(() => poller.stats.checks >= checks + 3);
    expect(recorder.errors).toHaveLength(1);
    expect(poller.lastHash).toBe(hashOf(configText(0)));
    store.put('default', configText(1));
    await recorder.changeTo(configText(1));
    expect(recorder.errors).toHaveLength(1);
  });

  it('stop() works inside onChange, is idempotent, and ends the polling', async () => {
    const store = new MemoryConfigStore();
    store.put('default', configText(0));
    let stops = 0;
    const poller: SourcePoller = track(
      new SourcePoller(
        new DatabaseSource(store.withoutPush()),
        async () => {
          expect(poller.stop()).toBe(poller.stop());
          await poller.stop();
          stops++;
        },
        { intervalMs: 10 },
      ),
    );
    await poller.start();
    store.put('default', configText(1));
    await until(() => stops === 1);
    const checks = poller.stats.checks;
    // A second poller on the same store keeps reading; the stopped one never checks again.
    const reads = store.hashReadTimes.length;
    const witness = track(
      new SourcePoller(new DatabaseSource(store.withoutPush()), () => {}, { intervalMs: 10 }),
    );
    await witness.start();
    await until(() => store.hashReadTimes.length >= reads + 10);
    expect(poller.stats).toMatchObject({ changes: 1, checks });
    await expect(poller.start()).rejects.toMatchObject({ code: 'CFG_WATCH_STOPPED' });
  });
});
