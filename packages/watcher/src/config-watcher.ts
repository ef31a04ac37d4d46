import { once } from 'node:events';
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AppConfig, type ConfigSource, ERROR_CODES } from '@cfg/source';
import { type FSWatcher, watch } from 'chokidar';
import { CheckLoop } from './check-loop.js';
import { stoppedError, toError, WatchError } from './errors.js';
import {
  type ConfigWatcherOptions,
  type ResolvedConfigWatcherOptions,
  resolveWatcherOptions,
} from './options.js';
import { ReferenceDirs } from './reference-dirs.js';
import type { ChangeHandler, WatchStats } from './types.js';

/** What the watcher needs from a file source; `FileSource` from `@cfg/source` fits. */
export interface WatchableFileSource<C extends AppConfig = AppConfig> extends ConfigSource<C> {
  /** The config file's path; its directory is what gets watched. */
  readonly path: string;
  /**
   * The files the config's `${file:…}` references read (`FileSource` with `references`): their
   * directories are watched too, so a rotated secret is a change. Asked after every check.
   */
  referencedFiles?(): readonly string[];
}

/** Kubernetes ConfigMap volumes swap `..data` (and `..<timestamp>` folders) beside the file. */
const HIDDEN_PREFIX = '..';

/**
 * Watches a config file through its directory with chokidar and decides by content hash, never by
 * event type: any event for the file, its symlink target or a Kubernetes `..data` swap schedules a
 * check; a check waits for the bytes to settle, loads once and delivers only a new hash.
 */
export class ConfigWatcher<C extends AppConfig = AppConfig> {
  readonly source: WatchableFileSource<C>;
  readonly options: ResolvedConfigWatcherOptions;
  private readonly _loop: CheckLoop<C>;
  private readonly _file: string;
  private readonly _dir: string;
  /** Basenames in `_dir` whose events matter: the file, and its symlink target when it lives there. */
  private readonly _names: Set<string>;
  private _fsw?: FSWatcher;
  /** The directories of referenced files (secrets), watched beside the config's own. */
  private readonly _references: ReferenceDirs;
  private _live = false;
  /** The hash read right after the latest event (and when it was read): a settle sample for free. */
  private _sample?: { hash: string; at: number };
  private _sampling = false;
  private _resample = false;
  private _startPromise?: Promise<void>;
  private _stopPromise?: Promise<void>;

  constructor(source: WatchableFileSource<C>, onChange: ChangeHandler<C>, opts?: ConfigWatcherOptions) {
    this.source = source;
    this.options = resolveWatcherOptions(opts);
    this._file = resolve(source.path);
    this._dir = dirname(this._file);
    this._names = new Set([basename(this._file)]);
    const { debounceMs, maxWaitMs, confirmDelayMs, resyncIntervalMs, onError, onRecover, logger } =
      this.options;
    this._loop = new CheckLoop<C>({
      source,
      onChange,
      onError,
      onRecover,
      logger,
      probe: (signal, lastHash) => this._settledHash(signal, lastHash),
      debounceMs,
      maxWaitMs,
      confirmDelayMs,
      periodMs: resyncIntervalMs,
      afterCheck: () => this._watchReferences(),
    });
    const { usePolling, pollIntervalMs } = this.options;
    this._references = new ReferenceDirs({
      usePolling,
      pollIntervalMs,
      onEvent: () => this._onReferenceEvent(),
      onError: (error) => this._loop.report(error),
      logger,
    });
  }

  /** The directories watched for referenced files (`${file:…}`), besides the config's own. */
  get referenceDirs(): string[] {
    return this._references.dirs;
  }

  /** Hash of the last snapshot delivered, or recorded by `start()`; null while the file was unreadable. */
  get lastHash(): string | null {
    return this._loop.lastHash;
  }

  get stats(): WatchStats {
    return { ...this._loop.stats };
  }

  /**
   * Resolves once chokidar is `ready` and the current hash is recorded (a missing file is not an
   * error here: it is reported through `onError` and delivered when it appears). Rejects with
   * `CFG_WATCH_START` when the directory does not exist. Idempotent.
   */
  start(): Promise<void> {
    if (this._loop.stopped) return Promise.reject(stoppedError(this.source.name));
    this._startPromise ??= this._start();
    return this._startPromise;
  }

  /**
   * Closes chokidar and clears every timer; a check in flight delivers nothing. Safe to call from
   * inside `onChange` (it does not wait for it). Idempotent: every call returns the same promise.
   */
  stop(): Promise<void> {
    this._stopPromise ??= this._stop();
    return this._stopPromise;
  }

  private async _start(): Promise<void> {
    const loop = this._loop;
    try {
      await stat(this._dir);
    } catch (error) {
      throw new WatchError(
        'CFG_WATCH_START',
        `cannot watch ${this._dir}: ${toError(error).message}. Create the directory before starting the watcher.`,
        { cause: error },
      );
    }
    await this._addSymlinkTarget();
    if (loop.stopped) return;
    const { usePolling, pollIntervalMs } = this.options;
    const fsw = watch(this._dir, {
      ignoreInitial: true,
      depth: 0,
      usePolling,
      interval: pollIntervalMs,
      binaryInterval: pollIntervalMs,
      // Fewer watches: only the directory itself and the names that matter.
      ignored: (path) => resolve(path) !== this._dir && !this._isRelevant(path),
    });
    this._fsw = fsw;
    fsw.on('all', (_event, path) => this._onFsEvent(path));
    // chokidar drops a 2nd `change` to one path within 50 ms; `raw` is every fs notification,
    // unthrottled. Used only as a hint to check sooner: the hash decides.
    fsw.on('raw', (_event, path) => this._onFsEvent(path));
    fsw.on('error', (error) => {
      loop.report(
        new WatchError('CFG_WATCH_FS', `watching ${this._dir} failed: ${toError(error).message}`, {
          cause: error,
        }),
      );
    });
    try {
      await once(fsw, 'ready', { signal: loop.signal });
    } catch (error) {
      if (loop.stopped) return;
      // chokidar emitted `error` before `ready`: nothing is watched reliably, so fail clearly.
      await this.stop();
      throw new WatchError('CFG_WATCH_START', `cannot watch ${this._dir}: ${toError(error).message}`, {
        cause: error,
      });
    }
    this._live = true;
    let { initialHash } = this.options;
    let checkNow = initialHash !== undefined;
    if (initialHash === undefined) {
      try {
        initialHash = await this.source.hash({ signal: loop.signal });
      } catch {
        // Missing or unreadable: the first check reports it and delivers the file once readable.
        initialHash = null;
        checkNow = true;
      }
    }
    // The files of the text the source last parsed (here, or in the caller's own load).
    await this._references.update(this.source.referencedFiles?.() ?? []);
    loop.begin(initialHash, checkNow);
  }

  private async _stop(): Promise<void> {
    this._loop.stop();
    this._live = false;
    const fsw = this._fsw;
    this._fsw = undefined;
    await Promise.all([fsw?.close(), this._references.close()]);
  }

  /** After every check: watch the directories of the files the source's last parse references. */
  private _watchReferences(): void {
    const files = this.source.referencedFiles?.();
    if (!files) return;
    this._references.update(files).catch((error: unknown) => this._loop.report(toError(error)));
  }

  /** A referenced file changed, or its Kubernetes `..data` link: a check, as for the config itself. */
  private _onReferenceEvent(): void {
    if (!this._live) return;
    this._loop.notify();
    void this._takeSample();
  }

  private _onFsEvent(path: string | undefined): void {
    // A raw event may come without a file name; then it could be ours.
    if (!this._live || (path && !this._isRelevant(path))) return;
    this._loop.notify();
    void this._takeSample();
  }

  /**
   * Hashes the file after each event (one read at a time, repeated if events came meanwhile). When
   * the check reads the same hash, the bytes have held still since: the settle pause shrinks by that.
   */
  private async _takeSample(): Promise<void> {
    if (this._sampling) {
      this._resample = true;
      return;
    }
    this._sampling = true;
    const { signal } = this._loop;
    do {
      this._resample = false;
      this._sample = undefined;
      try {
        const hash = await this.source.hash({ signal });
        this._sample = { hash, at: performance.now() };
      } catch {
        // Missing or unreadable: the check will find out and decide.
      }
    } while (this._resample && !signal.aborted);
    this._sampling = false;
  }

  /** How long these bytes have been seen unchanged: the age of a matching sample, else 0. */
  private _seenFor(hash: string): number {
    const sample = this._sample;
    return sample?.hash === hash ? performance.now() - sample.at : 0;
  }

  private _isRelevant(path: string): boolean {
    const name = basename(path);
    return this._names.has(name) || name.startsWith(HIDDEN_PREFIX);
  }

  /** `config.yaml -> real.yaml` in the same directory: events name `real.yaml`. */
  private async _addSymlinkTarget(): Promise<void> {
    try {
      const [target, dir] = await Promise.all([realpath(this._file), realpath(this._dir)]);
      if (dirname(target) === dir) this._names.add(basename(target));
    } catch {
      // Not there yet: events for its own name still count.
    }
  }

  /**
   * The hash a check may trust: a reading must repeat after a pause, `settleMs` for content (a
   * half-written file changes meanwhile) and max(`debounceMs`, `confirmDelayMs`) for absence (a
   * delete-then-create is not an error). A sample taken after the last event counts as an earlier
   * reading, so the pause is only what is left of `settleMs` (nothing after a long enough debounce).
   * Equal to the last hash means nothing to do, at once.
   */
  private async _settledHash(signal: AbortSignal, lastHash: string | null): Promise<string> {
    const { settleMs, debounceMs, confirmDelayMs } = this.options;
    let reading = await this._read(signal);
    for (;;) {
      if (reading === lastHash) break;
      const pause =
        typeof reading === 'string'
          ? settleMs - this._seenFor(reading)
          : Math.max(debounceMs, confirmDelayMs);
      if (pause <= 0) break;
      await sleep(pause, undefined, { signal });
      const next = await this._read(signal);
      if (next === reading || (typeof next !== 'string' && typeof reading !== 'string')) break;
      reading = next;
    }
    if (typeof reading !== 'string') throw reading;
    return reading;
  }

  /** The file's hash, or the not-found error when it is missing (any other error is thrown). */
  private async _read(signal: AbortSignal): Promise<string | Error> {
    try {
      return await this.source.hash({ signal });
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code === ERROR_CODES.CFG_NOT_FOUND) return toError(error);
      throw error;
    }
  }
}
