import type { AppConfig, ConfigSource } from '@cfg/source';
import { CheckLoop } from './check-loop.js';
import { stoppedError, toError, WatchError } from './errors.js';
import {
  type ResolvedSourcePollerOptions,
  resolvePollerOptions,
  type SourcePollerOptions,
} from './options.js';
import type { ChangeHandler, WatchStats } from './types.js';

/**
 * Watches any `ConfigSource` (database, composite, HTTP, …) by hash: every `intervalMs` it calls
 * `source.hash()` and, on a new hash, `load()`s and delivers. A `subscribe` hint (PostgreSQL NOTIFY)
 * triggers a check at once; the interval stays as the safety net. Failed checks are reported and
 * retried with exponential backoff up to `intervalMs`; the poller never gives up.
 */
export class SourcePoller<C extends AppConfig = AppConfig> {
  readonly source: ConfigSource<C>;
  readonly options: ResolvedSourcePollerOptions;
  private readonly _loop: CheckLoop<C>;
  private _unsubscribe?: () => void;
  private _startPromise?: Promise<void>;
  private _stopPromise?: Promise<void>;

  constructor(source: ConfigSource<C>, onChange: ChangeHandler<C>, opts?: SourcePollerOptions) {
    this.source = source;
    this.options = resolvePollerOptions(opts);
    const { intervalMs, retryMinMs, onError, onRecover, logger } = this.options;
    this._loop = new CheckLoop<C>({
      source,
      onChange,
      onError,
      onRecover,
      logger,
      probe: (signal) => source.hash({ signal }),
      debounceMs: 0,
      maxWaitMs: 0,
      confirmDelayMs: 0,
      periodMs: intervalMs,
      retry: { minMs: retryMinMs, maxMs: intervalMs },
    });
  }

  /** Hash of the last snapshot delivered, or recorded by `start()`. */
  get lastHash(): string | null {
    return this._loop.lastHash;
  }

  get stats(): WatchStats {
    return { ...this._loop.stats };
  }

  /**
   * "Check soon": the same as a hint from the source's `subscribe` (debounced like one). Use it when
   * the caller learns of a change the source cannot signal itself, e.g. a file watcher in front of a
   * composite of that file and a database document.
   */
  nudge(): void {
    this._loop.notify();
  }

  /**
   * Subscribes to hints, records the current hash and starts the interval. Rejects with
   * `CFG_WATCH_START` when that first read fails, unless `allowInitialFailure`; the poller is then
   * stopped (create a new one to try again). Idempotent.
   */
  start(): Promise<void> {
    if (this._loop.stopped) return Promise.reject(stoppedError(this.source.name));
    this._startPromise ??= this._start();
    return this._startPromise;
  }

  /**
   * Stops at once: no further checks or deliveries, no timers, unsubscribed. Safe inside `onChange`.
   * Idempotent: every call returns the same promise.
   */
  stop(): Promise<void> {
    this._stopPromise ??= this._stop();
    return this._stopPromise;
  }

  private async _stop(): Promise<void> {
    this._loop.stop();
    const unsubscribe = this._unsubscribe;
    this._unsubscribe = undefined;
    unsubscribe?.();
  }

  private async _start(): Promise<void> {
    const loop = this._loop;
    // Subscribe before the first read, so a change between the two is not missed.
    this._unsubscribe = this.source.subscribe?.(() => loop.notify());
    let { initialHash } = this.options;
    let checkNow = initialHash !== undefined;
    if (initialHash === undefined) {
      try {
        initialHash = await this.source.hash({ signal: loop.signal });
      } catch (error) {
        if (loop.stopped) return;
        if (!this.options.allowInitialFailure) {
          await this.stop();
          throw new WatchError(
            'CFG_WATCH_START',
            `SourcePoller could not read ${this.source.name}: ${toError(error).message}. Fix the source, or pass allowInitialFailure: true to start anyway and keep retrying.`,
            { cause: error },
          );
        }
        initialHash = null;
        checkNow = true;
      }
    }
    loop.begin(initialHash, checkNow);
  }
}
