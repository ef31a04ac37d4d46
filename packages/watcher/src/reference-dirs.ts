import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from '@cfg/source';
import { type FSWatcher, watch } from 'chokidar';
import { toError, WatchError } from './errors.js';

/** Kubernetes Secret volumes swap `..data` (and `..<timestamp>` folders) beside the files. */
const HIDDEN_PREFIX = '..';

export interface ReferenceDirsOptions {
  usePolling: boolean;
  pollIntervalMs: number;
  /** An event for a referenced file (or a `..data` swap beside it): something may have changed. */
  onEvent: () => void;
  onError: (error: Error) => void;
  logger: Logger | undefined;
}

/**
 * Watches the directories of the files a config's `${file:…}` references read, the way
 * `ConfigWatcher` watches the config's own directory: the directory, not the inode (depth 0), and
 * events count when they name a referenced file or anything starting with `..` (a Kubernetes Secret
 * volume swaps its `..data` symlink; the file's own name never changes). One chokidar instance per
 * directory, so each can be awaited until ready and closed on its own. `update` is given the
 * referenced files after every check and adds and closes directories to match; a directory that
 * does not exist is not watched (the next update tries again).
 */
export class ReferenceDirs {
  readonly #opts: ReferenceDirsOptions;
  /** Directory → the basenames in it that are referenced. */
  #names = new Map<string, Set<string>>();
  readonly #watchers = new Map<string, FSWatcher>();
  #updating: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(opts: ReferenceDirsOptions) {
    this.#opts = opts;
  }

  /** The directories being watched (their watch is ready), sorted. */
  get dirs(): string[] {
    return [...this.#watchers.keys()].sort();
  }

  /** Watches the directories of `files` and no others; updates run one at a time, in call order. */
  update(files: readonly string[]): Promise<void> {
    const next = this.#updating.then(() => this.#apply(files));
    this.#updating = next.catch(() => {});
    return next;
  }

  /** Closes every directory watch; later updates do nothing. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#updating;
    const watchers = [...this.#watchers.values()];
    this.#watchers.clear();
    await Promise.all(watchers.map((fsw) => fsw.close()));
  }

  async #apply(files: readonly string[]): Promise<void> {
    if (this.#closed) return;
    const names = new Map<string, Set<string>>();
    for (const file of files) {
      const path = resolve(file);
      const dir = dirname(path);
      names.set(dir, (names.get(dir) ?? new Set()).add(basename(path)));
    }
    this.#names = names; // read by the event filters at once, also for directories already watched
    for (const [dir, fsw] of this.#watchers) {
      if (names.has(dir)) continue;
      this.#watchers.delete(dir);
      this.#opts.logger?.debug({ dir }, 'no longer watching a directory of referenced files');
      await fsw.close();
    }
    for (const dir of names.keys()) {
      if (!this.#watchers.has(dir) && !this.#closed) await this.#watch(dir);
    }
  }

  async #watch(dir: string): Promise<void> {
    try {
      if (!(await stat(dir)).isDirectory()) return;
    } catch {
      return; // not there (yet): the reference's load reports the missing file
    }
    const { usePolling, pollIntervalMs, onEvent, onError, logger } = this.#opts;
    const relevant = (path: string | undefined) => {
      if (!path) return true; // a raw event without a name could be ours
      const name = basename(path);
      return name.startsWith(HIDDEN_PREFIX) || (this.#names.get(dir)?.has(name) ?? false);
    };
    const fsw = watch(dir, {
      ignoreInitial: true,
      depth: 0,
      usePolling,
      interval: pollIntervalMs,
      binaryInterval: pollIntervalMs,
      ignored: (path) => resolve(path) !== dir && !relevant(path),
    });
    const onFsEvent = (_event: string, path: string | undefined) => {
      if (!this.#closed && relevant(path)) onEvent();
    };
    fsw.on('all', onFsEvent);
    // As for the config file: chokidar throttles `change`; `raw` is every notification.
    fsw.on('raw', onFsEvent);
    try {
      await once(fsw, 'ready');
      this.#watchers.set(dir, fsw);
      fsw.on('error', (error) => {
        onError(
          new WatchError(
            'CFG_WATCH_FS',
            `watching ${dir} (referenced files) failed: ${toError(error).message}`,
            {
              cause: error,
            },
          ),
        );
      });
      logger?.debug({ dir }, 'watching a directory of referenced files');
      // A file may have changed between the load that read it and this watch going live: check.
      onEvent();
    } catch (error) {
      await fsw.close();
      onError(
        new WatchError('CFG_WATCH_FS', `cannot watch ${dir} (referenced files): ${toError(error).message}`, {
          cause: error,
        }),
      );
    }
  }
}
