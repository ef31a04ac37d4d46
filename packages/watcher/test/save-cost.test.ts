import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ConfigSnapshot,
  type FileLoadOptions,
  type FileRead,
  FileSource,
  type LoadOptions,
  parseConfig,
} from '@cfg/source';
import { describe, expect, it } from 'vitest';
import { ConfigWatcher, type ConfigWatcherOptions } from '../src/index.js';
import { configText, Recorder, useFixtures } from './helpers.js';

const SAVES = 10;
/** After a delivery, longer than the confirm's 60 ms: its cost lands in the save it belongs to. */
const PACE_MS = 150;

/**
 * Counts what a save costs at the source: reads of the file (`read()`, `hash()`, and `load()`
 * without bytes already read) and parses (a counting `parse`).
 */
class CostSource extends FileSource {
  reads = 0;
  parses = 0;
  #inHash = false;

  constructor(path: string) {
    super(path, {
      parse: (text, ctx) => {
        this.parses++;
        return parseConfig(text, ctx);
      },
    });
  }

  override hash(opts?: LoadOptions): Promise<string> {
    this.reads++;
    this.#inHash = true; // `hash()` reads through `read()`: one read, counted here
    try {
      return super.hash(opts);
    } finally {
      this.#inHash = false;
    }
  }

  override read(opts?: LoadOptions): Promise<FileRead> {
    if (!this.#inHash) this.reads++;
    return super.read(opts);
  }

  override load(opts: FileLoadOptions = {}): Promise<ConfigSnapshot> {
    if (!opts.from) this.reads++;
    return super.load(opts);
  }
}

const MODES: [string, ConfigWatcherOptions][] = [
  ['native, debounce 0', { debounceMs: 0 }],
  ['native, debounce 100', { debounceMs: 100 }],
  ['polling, debounce 0', { debounceMs: 0, usePolling: true, pollIntervalMs: 10 }],
  ['polling, debounce 100', { debounceMs: 100, usePolling: true, pollIntervalMs: 10 }],
];

describe('ConfigWatcher: what one save costs (issue 17 item 5)', () => {
  const { tempDir, track } = useFixtures();

  it.each(MODES)('%s: one notification, at most 2 reads and one parse per save', async (_mode, opts) => {
    const dir = await tempDir();
    const file = join(dir, 'config.yaml');
    await writeFile(file, configText(0));
    const source = new CostSource(file);
    const recorder = new Recorder();
    const watcher = track(
      new ConfigWatcher(source, recorder.onChange, { ...opts, onError: recorder.onError }),
    );
    await watcher.start();
    const before = { reads: source.reads, parses: source.parses, events: watcher.stats.events };

    for (let revision = 1; revision <= SAVES; revision++) {
      await writeFile(file, configText(revision));
      await recorder.changeTo(configText(revision));
      await sleep(PACE_MS); // not a timing assertion: lets the confirm run within this save
    }

    const perSave = {
      notifications: (watcher.stats.events - before.events) / SAVES,
      reads: (source.reads - before.reads) / SAVES,
      parses: (source.parses - before.parses) / SAVES,
    };
    console.info(`${_mode}: per save ${JSON.stringify(perSave)}`);
    expect(recorder.changes.map((c) => c.snapshot.config.revision)).toEqual(
      Array.from({ length: SAVES }, (_, i) => i + 1),
    );
    expect(recorder.errors).toEqual([]);
    expect(perSave.parses).toBe(1);
    expect(perSave.reads).toBeLessThanOrEqual(2);
    // One per save. A loaded machine may split an in-place save's truncate and write by more than
    // the watcher folds together, and a poll may catch the truncated file: then they are two events.
    expect(perSave.notifications).toBeLessThanOrEqual(1.5);
  });
});
