import { once } from 'node:events';
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AppConfig,
  type ConfigSnapshot,
  type ConfigSource,
  ERROR_CODES,
  type FileRead,
  type FileStamp,
  fileStamp,
  type LoadOptions,
  sameFileStamp,
} from '@cfg/source';
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
  /**
   * Reads the file once, with the stamp of what was read (`FileSource.read`). When present, a check
   * reads with it and loads those bytes with `load({ from })`: no second read, and a stat, not a
   * read, tells whether the bytes held still.
   */
  read?(opts?: LoadOptions): Promise<FileRead>;
  load(opts?: LoadOptions & { from?: FileRead }): Promise<ConfigSnapshot<C>>;
}

/** One reading of the file: its hash, and with `read()` the bytes and their stamp. */
interface Reading {
  hash: string;
  read?: FileRead;
  /** `_fsEvents` when the read began: a later event means the bytes may be older than the file. */
  events: number;
}

/** Kubernetes ConfigMap volumes swap `..data` (and `..<timestamp>` folders) beside the file. */
const HIDDEN_PREFIX = '..';
/**
 * Events this soon after the one that asked for a check are the same save: an in-place write is a
 * truncate and a write, two kernel events usually well under a millisecond apart.
 */
const SAME_SAVE_MS = 10;
/**
 * The events of one save (an in-place save is a truncate, then its write) come within about this:
 * at debounce 0 a check still waits this long after the first, so it reads the save, not its empty
 * first half.
 */
const SAVE_EVENTS_MS = 1;
/** Reads a check repeats at once because an event came while it read, before it waits instead. */
const MAX_EVENT_REREADS = 3;
/**
 * Writers that write in blocks write whole blocks until the last, short one: Node's `writeFile`
 * 512 KiB (`kWriteFileMaxChunkSize`), stdio 4 KiB, vim 8 KiB. Between two writes the file is a whole
 * number of blocks, and its stat holds still until the next one lands: a file of that size may be
 * unfinished and always settles. Any other size ends in a short block, which came last.
 */
export const WRITE_BLOCK_BYTES = 4096;

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
  /** The file's stamp right after the latest event (and when it was taken): a settle sample, no read. */
  private _sample?: { stamp: FileStamp; at: number };
  /** The stat sampling in flight, if any: a check waits for it before deciding whether to settle. */
  private _sampling?: Promise<void>;
  private _resample = false;
  /** Relevant file-system events seen (the config's or its references'), coalesced per loop turn. */
  private _fsEvents = 0;
  /** Ends a settle pause early: the file moved, so there is no point waiting for it to hold still. */
  private _wakeSettle?: () => void;
  /** When the last notification was sent, and whether events were folded into it since. */
  private _notifiedAt = Number.NEGATIVE_INFINITY;
  private _folded = false;
  /** `_fsEvents` when the latest read of the file began. */
  private _readEvents = 0;
  /** What the last probe read, for the load that follows it (taken once). */
  private _toLoad?: Reading;
  /** What the last probe ended on, for the confirm to compare stamps with. */
  private _lastReading?: Reading;
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
      // The check loads the bytes its probe read, and a confirm first compares stamps.
      source: {
        name: source.name,
        load: (opts) => this._load(opts),
        hash: (opts) => this._confirmHash(opts),
      },
      onChange,
      onError,
      onRecover,
      logger,
      probe: (signal, lastHash) => this._settledHash(signal, lastHash),
      // Even at debounce 0, the events of one save (a truncate, then its write) are waited for.
      debounceMs: Math.max(debounceMs, SAVE_EVENTS_MS),
      maxWaitMs,
      confirmDelayMs,
      periodMs: resyncIntervalMs,
      afterCheck: () => this._afterCheck(),
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
    // chokidar drops a 2nd `change` to one path within 50 ms; `raw` is every fs notification,
    // unthrottled, so a burst's last save is never lost. Natively, `raw` (fs.watch on the directory
    // and on the file) covers every event `all` reports, so it is the only one heard. Polling,
    // `raw` is each watched file's stat change and `all` adds what only a directory re-read shows (a
    // file appearing or going). Both are heard: a file deleted and re-created between two polls may
    // come as `all`'s `change` alone. One poll's events fold into one notification (`_notify`). A
    // notification is a hint to check: the hash decides.
    fsw.on('raw', (_event, path) => this._onFsEvent(path));
    if (usePolling) fsw.on('all', (_event, path) => this._onFsEvent(path));
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

  /**
   * After every check: an event folded into an earlier notification that came after the check's
   * last read is a check of its own; and watch the directories of the files the last parse references.
   */
  private _afterCheck(): void {
    if (this._folded && this._fsEvents !== this._readEvents) this._sendNotification();
    this._watchReferences();
  }

  /** Watch the directories of the files the source's last parse references. */
  private _watchReferences(): void {
    const files = this.source.referencedFiles?.();
    if (!files) return;
    this._references.update(files).catch((error: unknown) => this._loop.report(toError(error)));
  }

  /** A referenced file changed, or its Kubernetes `..data` link: a check, as for the config itself. */
  private _onReferenceEvent(): void {
    if (!this._live) return;
    this._notify();
  }

  private _onFsEvent(path: string | undefined): void {
    // A raw event may come without a file name; then it could be ours.
    if (!this._live || (path && !this._isRelevant(path))) return;
    this._notify();
  }

  /**
   * One notification per save: the kernel reports a write to the directory's watch and to the
   * file's, and an in-place save is two writes (truncate, write). Events within `SAME_SAVE_MS` of a
   * notification are folded into it; each still takes a stat sample and counts in `_fsEvents`, so
   * a check that read before one of them reads again (`_settledHash`, `_afterCheck`).
   */
  private _notify(): void {
    this._fsEvents++;
    this._takeSample();
    this._wakeSettle?.();
    if (performance.now() - this._notifiedAt < SAME_SAVE_MS) {
      this._folded = true;
      return;
    }
    this._sendNotification();
  }

  private _sendNotification(): void {
    this._notifiedAt = performance.now();
    this._folded = false;
    this._loop.notify();
  }

  /**
   * Stats the file after each event (one at a time, repeated if events came meanwhile). When the
   * check reads bytes with the same stamp, they have held still since: the settle pause shrinks by that.
   */
  private _takeSample(): void {
    if (this._sampling) {
      this._resample = true;
      return;
    }
    this._sampling = this._sampleUntilQuiet().finally(() => {
      this._sampling = undefined;
    });
  }

  private async _sampleUntilQuiet(): Promise<void> {
    const { signal } = this._loop;
    do {
      this._resample = false;
      this._sample = undefined;
      const stamp = await this._stamp();
      if (stamp) this._sample = { stamp, at: performance.now() };
    } while (this._resample && !signal.aborted);
  }

  /**
   * Whether `reading` must settle: always with `alwaysSettle`, for a file of a whole number of
   * `WRITE_BLOCK_BYTES` (empty included); else only when its stat differs from the one taken after
   * the last event (the writer was still writing), or there is none to compare.
   */
  private async _mustSettle(reading: Reading): Promise<boolean> {
    if (this.options.alwaysSettle || !reading.read) return true;
    // Empty: most often an in-place save between its truncate and its write. Whole blocks: maybe a
    // writer between two of them.
    if (reading.read.stamp.size % WRITE_BLOCK_BYTES === 0) return true;
    await this._sampling;
    return !sameFileStamp(this._sample?.stamp, reading.read.stamp);
  }

  /** The file's stamp now (through symlinks, as a read opens it), or undefined when it cannot be had. */
  private async _stamp(): Promise<FileStamp | undefined> {
    try {
      return fileStamp(await stat(this._file));
    } catch {
      return undefined; // missing or unreadable: a read will find out and decide
    }
  }

  /** How long these bytes have been seen unchanged: the age of a sample with their stamp, else 0. */
  private _seenFor(reading: Reading): number {
    const sample = this._sample;
    return reading.read && sameFileStamp(sample?.stamp, reading.read.stamp)
      ? performance.now() - sample!.at
      : 0;
  }

  /**
   * The bytes of `reading` are still the file's: no event since it began and the same stamp now.
   * Without `read()` (no stamp) only a new read can tell.
   */
  private async _unmoved(reading: Reading): Promise<boolean> {
    if (!reading.read || this._fsEvents !== reading.events) return false;
    return sameFileStamp(await this._stamp(), reading.read.stamp);
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
   * The hash a check may trust. Bytes whose stat equals the one taken after the last event are
   * complete: no pause (unless `alwaysSettle`). Else a reading must hold still for a pause,
   * `settleMs` for content (a half-written file changes meanwhile) and max(`debounceMs`,
   * `confirmDelayMs`) for absence (a delete-then-create is not an error); a matching earlier stat
   * counts as an earlier sighting, so the pause is only what is left of `settleMs`. After the pause an unchanged stamp, with no event since the
   * read, settles it without reading again; else the file is read again and compared. Equal to the
   * last hash means nothing to do, at once. The reading it ends on is what the check then loads.
   */
  private async _settledHash(signal: AbortSignal, lastHash: string | null): Promise<string> {
    const { settleMs, debounceMs, confirmDelayMs } = this.options;
    this._toLoad = this._lastReading = undefined;
    let reading = await this._read(signal);
    let rereads = 0;
    for (;;) {
      if (reading instanceof Error) {
        const pause = Math.max(debounceMs, confirmDelayMs);
        if (pause <= 0) break;
        await sleep(pause, undefined, { signal });
      } else {
        if (reading.hash === lastHash) break;
        const pause = (await this._mustSettle(reading)) ? settleMs - this._seenFor(reading) : 0;
        if (pause > 0) {
          // An event ends the pause (a few times per check at most): the next chunk of a writer that
          // writes in blocks has landed, and the file may be complete now.
          if (await this._settlePause(pause, rereads < MAX_EVENT_REREADS, reading.events, signal)) {
            rereads++;
            reading = await this._read(signal); // judged afresh: it may need a settle of its own
            continue;
          }
          if (await this._unmoved(reading)) break;
        } else if (this._fsEvents === reading.events || rereads++ >= MAX_EVENT_REREADS) {
          break; // held still long enough, and no event since the read (else: read again)
        }
      }
      const next = await this._read(signal);
      const same = next instanceof Error ? reading instanceof Error : next.hash === (reading as Reading).hash;
      const quiet = next instanceof Error || this._fsEvents === next.events;
      reading = next;
      if (same && quiet) break;
    }
    if (reading instanceof Error) throw reading;
    this._toLoad = this._lastReading = reading;
    return reading.hash;
  }

  /**
   * Sleeps `ms`, or when `wake`, until a file event (at once if one came since `_fsEvents` was
   * `events`); true when an event ended it.
   */
  private async _settlePause(
    ms: number,
    wake: boolean,
    events: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    if (!wake) return sleep(ms, false, { signal });
    signal.throwIfAborted();
    if (this._fsEvents !== events) return true;
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', aborted);
        if (this._wakeSettle === onEvent) this._wakeSettle = undefined;
      };
      const onEvent = () => {
        cleanup();
        resolve(true);
      };
      const aborted = () => {
        cleanup();
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        cleanup();
        resolve(false);
      }, ms);
      signal.addEventListener('abort', aborted, { once: true });
      this._wakeSettle = onEvent;
    });
  }

  /** The file's hash (with its bytes when the source can `read()`), or the not-found error when it is missing (any other error is thrown). */
  private async _read(signal: AbortSignal): Promise<Reading | Error> {
    const events = this._fsEvents;
    this._readEvents = events;
    try {
      const { source } = this;
      if (!source.read) return { hash: await source.hash({ signal }), events };
      const read = await source.read({ signal });
      return { hash: read.hash, read, events };
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code === ERROR_CODES.CFG_NOT_FOUND) return toError(error);
      throw error;
    }
  }

  /** The check's load: the bytes its probe just read, parsed without reading again when it can. */
  private _load(opts: LoadOptions = {}): Promise<ConfigSnapshot<C>> {
    const from = this._toLoad?.read;
    this._toLoad = undefined; // once: a load after another probe must not get older bytes
    return from ? this.source.load({ ...opts, from }) : this.source.load(opts);
  }

  /**
   * The confirm's hash: the last reading's when the file's stamp has not moved and no event came
   * since (a stat, no read), else a fresh read. A config with references always reads: a rotated
   * secret does not move the config file's stamp.
   */
  private async _confirmHash(opts: LoadOptions = {}): Promise<string> {
    const last = this._lastReading;
    if (last && !this.source.referencedFiles?.().length && (await this._unmoved(last))) return last.hash;
    return this.source.hash(opts);
  }
}
