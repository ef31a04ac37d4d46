import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LogFn, SnapshotFile } from '@cfg/source';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LastGood } from '../../src/serve/last-good.js';
import { buildTestApp } from '../helpers/app.js';
import { sampleConfig, snapshotOf } from '../helpers/configs.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const stored = (message: string, version: number) => ({
  ...snapshotOf(sampleConfig({ message }), 'database:default'),
  version,
});
const textOf = (version: number) => `# version ${version}\nmodules: []\n`;

/** A runtime on version 1, and a LastGood for it writing to a fresh file (or `path`), saving 20 ms after an apply. */
async function setup(path?: (dir: string) => string, saveDelayMs = 20) {
  const dir = await mkdtemp(join(tmpdir(), 'cfg-last-good-'));
  dirs.push(dir);
  const file = new SnapshotFile(path ? path(dir) : join(dir, 'default.json'));
  const saves = vi.spyOn(file, 'save');
  const warn = vi.fn<LogFn>();
  const logger = { debug: vi.fn(), info: vi.fn(), warn, error: vi.fn() };
  const warnings = () => warn.mock.calls.map(([, msg]) => msg);
  const read = vi.fn(async (version: number) => textOf(version));
  const lastGood = new LastGood({ file, key: 'default', read, logger, saveDelayMs });
  const { runtime } = await buildTestApp({ version: 1 });
  await runtime.handleChange(stored('v1', 1));
  return { file, saves, warnings, read, lastGood, runtime };
}

describe('LastGood: the local snapshot follows the applied version', () => {
  it('saves the running version, then each applied one, with the text seen on its way in', async () => {
    const { file, lastGood, runtime, read } = await setup();
    lastGood.remember(1, textOf(1));
    const following = lastGood.follow(runtime.reloader);
    await expect.poll(async () => (await file.read('default'))?.version).toBe(1);
    lastGood.remember(2, textOf(2));
    await runtime.handleChange(stored('v2', 2));
    await expect.poll(async () => (await file.read('default'))?.data).toBe(textOf(2));
    expect(read).not.toHaveBeenCalled(); // every text was remembered: no database read
    await following.stop();
  });

  it('a save waits saveDelayMs after the apply, out of the way of the reload', async () => {
    const { file, saves, lastGood, runtime } = await setup(undefined, 300);
    const following = lastGood.follow(runtime.reloader);
    lastGood.remember(2, textOf(2));
    await runtime.handleChange(stored('v2', 2));
    const applied = performance.now();
    expect(saves).not.toHaveBeenCalled();
    await expect.poll(async () => (await file.read('default'))?.version, { timeout: 5_000 }).toBe(2);
    expect(performance.now() - applied).toBeGreaterThanOrEqual(290);
    expect(saves).toHaveBeenCalledTimes(1); // version 1, still waiting when 2 came, was never saved
    await following.stop();
  });

  it('stop() saves what waits at once', async () => {
    const { file, lastGood, runtime } = await setup(undefined, 60_000);
    const following = lastGood.follow(runtime.reloader);
    lastGood.remember(2, textOf(2));
    await runtime.handleChange(stored('v2', 2));
    await following.stop();
    expect((await file.read('default'))?.data).toBe(textOf(2));
  });

  it('a burst of versions is coalesced: the newest is saved, far fewer saves than versions', async () => {
    const { file, saves, lastGood, runtime } = await setup();
    const following = lastGood.follow(runtime.reloader);
    for (let version = 2; version <= 30; version++) {
      lastGood.remember(version, textOf(version));
      await runtime.handleChange(stored(`v${version}`, version));
    }
    await following.stop(); // saves what still waits, without the pause
    expect((await file.read('default'))?.version).toBe(30);
    expect(saves.mock.calls.length).toBeLessThan(10);
  });

  it('a text not seen on its way in is read; a failing save is logged once and serving goes on', async () => {
    // The snapshot's directory is a regular file: every save fails.
    const { lastGood, runtime, read, warnings, saves } = await setup((dir) =>
      join(dir, 'blocker', 'default.json'),
    );
    await writeFile(join(dirs.at(-1)!, 'blocker'), 'not a directory');
    const following = lastGood.follow(runtime.reloader);
    await expect.poll(() => saves.mock.calls.length).toBe(1);
    for (let version = 2; version <= 4; version++) {
      await runtime.handleChange(stored(`v${version}`, version));
      await expect.poll(() => saves.mock.calls.length).toBe(version);
    }
    await following.stop();
    expect(read.mock.calls.map(([version]) => version)).toEqual([1, 2, 3, 4]);
    expect(warnings()).toEqual([
      expect.stringMatching(/^could not save the local snapshot .*default\.json: /),
    ]);
    expect(runtime.reloader.current.version).toBe(4);
  });
});
