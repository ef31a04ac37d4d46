import type { Logger } from '@cfg/source';
import { WatchError } from './errors.js';
import type { ErrorHandler } from './types.js';

/** Options both `ConfigWatcher` and `SourcePoller` take. */
export interface CommonWatchOptions {
  /**
   * Hash of the config the caller already runs on (its `ConfigSnapshot.hash`). When given, `start()`
   * compares it with the source and delivers a difference as a change, so nothing written between
   * the caller's own load and `start()` is lost. When left out, `start()` records the current hash
   * and delivers nothing for it.
   */
  initialHash?: string | null;
  /** Receives config and watch failures; without it they go to `logger.error`. */
  onError?: ErrorHandler;
  /**
   * Called once when a check reads the source fine again after one or more failed (the source is
   * back, whether or not it changed meanwhile), so a caller can say "recovered" once per outage.
   */
  onRecover?: () => void;
  logger?: Logger;
}

export interface ConfigWatcherOptions extends CommonWatchOptions {
  /** Quiet time after the last file event before a check (trailing). @defaultValue 100 */
  debounceMs?: number;
  /** Longest a check is postponed while events keep coming; at least `debounceMs`. @defaultValue 1000 */
  maxWaitMs?: number;
  /**
   * When the file's stat (size, mtime, ctime, inode) moved between the last event and the read — the
   * writer was still writing — or the file's size is a whole number of 4 KiB blocks (empty
   * included: maybe a writer between two blocks), the bytes read must hold still this long before
   * they are parsed: the same stat and no event after the pause, else they are read again and must
   * hash the same; a file event during the pause ends it (the file is read again at once). Other
   * bytes whose stat matches the one taken right after the event are complete and cost no wait.
   * 0 = off.
   * @defaultValue 10
   */
  settleMs?: number;
  /**
   * Settle every read, also when the stat did not move since the event: for writers that pause
   * mid-write (a half-written file that happens to parse would otherwise be delivered, then replaced
   * by the whole one a moment later). Saving by rename (write a temp file, then `rename`), as editors
   * and Kubernetes do, needs none of this. @defaultValue false
   */
  alwaysSettle?: boolean;
  /**
   * After every check, look again this much later (a stat; a read when the stat moved or an event
   * came) and check again if the bytes moved. A net for writes whose events were lost; 0 = off.
   * @defaultValue 60
   */
  confirmDelayMs?: number;
  /** Re-hash this long after the last check even without events, a net for lost events; 0 = off. @defaultValue 30000 */
  resyncIntervalMs?: number;
  /** Poll with `fs.watchFile` instead of `fs.watch` (network and some container file systems). @defaultValue false */
  usePolling?: boolean;
  /** Polling interval when `usePolling` is on (chokidar's `interval`). @defaultValue 100 */
  pollIntervalMs?: number;
}

export interface SourcePollerOptions extends CommonWatchOptions {
  /** Hash check interval, counted from the previous check; must be > 0. @defaultValue 5000 */
  intervalMs?: number;
  /** First retry delay after a failed check, doubled per failure, capped at `intervalMs`. @defaultValue 250 */
  retryMinMs?: number;
  /** Let `start()` succeed when the first read fails; the poller then retries and reports through `onError`. @defaultValue false */
  allowInitialFailure?: boolean;
}

type Resolved<T, D extends keyof T> = Readonly<Required<Pick<T, D>> & Omit<T, D>>;

export type ResolvedConfigWatcherOptions = Resolved<
  ConfigWatcherOptions,
  Exclude<keyof ConfigWatcherOptions, keyof CommonWatchOptions>
>;
export type ResolvedSourcePollerOptions = Resolved<
  SourcePollerOptions,
  Exclude<keyof SourcePollerOptions, keyof CommonWatchOptions>
>;

/** Defaults written once; the result is frozen. */
export function resolveWatcherOptions(_opts: ConfigWatcherOptions = {}): ResolvedConfigWatcherOptions {
  const opts = {
    // Defaults
    debounceMs: 100,
    maxWaitMs: 1000,
    settleMs: 10,
    alwaysSettle: false,
    confirmDelayMs: 60,
    resyncIntervalMs: 30_000,
    usePolling: false,
    pollIntervalMs: 100,
    ..._defined(_opts),
  };
  _checkDurations(opts, ['debounceMs', 'maxWaitMs', 'settleMs', 'confirmDelayMs', 'resyncIntervalMs']);
  _checkDurations(opts, ['pollIntervalMs'], 1);
  if (opts.maxWaitMs < opts.debounceMs) {
    throw _invalid(`maxWaitMs (${opts.maxWaitMs}) must be at least debounceMs (${opts.debounceMs})`);
  }
  return Object.freeze(opts);
}

/** Defaults written once; the result is frozen. */
export function resolvePollerOptions(_opts: SourcePollerOptions = {}): ResolvedSourcePollerOptions {
  const opts = {
    // Defaults
    intervalMs: 5000,
    retryMinMs: 250,
    allowInitialFailure: false,
    ..._defined(_opts),
  };
  _checkDurations(opts, ['intervalMs', 'retryMinMs'], 1);
  return Object.freeze(opts);
}

/** Drops `undefined` members so `{ debounceMs: undefined }` keeps the default. */
function _defined<T extends object>(opts: T): T {
  return Object.fromEntries(Object.entries(opts).filter(([, value]) => value !== undefined)) as T;
}

function _checkDurations<T extends object>(opts: T, keys: (keyof T & string)[], min = 0): void {
  for (const key of keys) {
    const value = opts[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      throw _invalid(`${key} must be a finite number of milliseconds >= ${min}, got ${String(value)}`);
    }
  }
}

function _invalid(message: string): WatchError {
  return new WatchError('CFG_WATCH_OPTIONS', `invalid option: ${message}`);
}
