import {
  type AppConfig,
  type ConfigChangeEvent,
  type ConfigSnapshot,
  type ConfigSource,
  callSafely,
  ERROR_CODES,
  type Logger,
} from '@cfg/source';
import { toError, WatchError } from './errors.js';
import type { ChangeHandler, ErrorHandler, WatchStats } from './types.js';

export interface CheckLoopOptions<C extends AppConfig> {
  source: ConfigSource<C>;
  onChange: ChangeHandler<C>;
  onError: ErrorHandler | undefined;
  /** A check read the source fine after failed ones (see `CommonWatchOptions.onRecover`). */
  onRecover?: (() => void) | undefined;
  logger: Logger | undefined;
  /** Returns the hash a check decides on. ConfigWatcher waits here for the bytes to settle. */
  probe: (signal: AbortSignal, lastHash: string | null) => Promise<string>;
  /** Quiet time after the last `notify()` before checking. */
  debounceMs: number;
  /** Longest `notify()` calls may keep postponing a check. */
  maxWaitMs: number;
  /** After each check, re-hash this much later and check again if the bytes moved; 0 = off. */
  confirmDelayMs: number;
  /** Check this long after the previous check even without notifications; 0 = off. */
  periodMs: number;
  /** Backoff after a failed check: `minMs`, doubled per failure, capped at `maxMs`; none = no retry. */
  retry?: { minMs: number; maxMs: number };
  /** Called after every check that was not stopped, whatever it found (ConfigWatcher re-reads the referenced files). */
  afterCheck?: () => void;
}

/** `check` outranks `confirm`: a pending check makes the confirm pointless. */
type Job = 'none' | 'confirm' | 'check';

const MISSING_KEY = 'missing';

/**
 * The machinery ConfigWatcher and SourcePoller share: checks run one at a time; notifications that
 * arrive meanwhile collapse into one later check; a change is delivered only when a load's hash
 * equals the hash read just before it (or the previous load's); `onChange` is awaited before anything
 * else runs; and `stop()` aborts whatever runs and clears every timer.
 */
export class CheckLoop<C extends AppConfig = AppConfig> {
  /** Hash of the last snapshot delivered (or recorded at start). */
  lastHash: string | null = null;
  readonly stats: WatchStats = { events: 0, checks: 0, changes: 0, errors: 0 };
  private readonly _opts: CheckLoopOptions<C>;
  private readonly _abort = new AbortController();
  private _started = false;
  private _running = false;
  private _pending: Job = 'none';
  /** Hash the last check ended on (null when it could not read one); the confirm compares with it. */
  private _seenHash: string | null = null;
  /** What was last reported, so one bad content or one absence is reported once. */
  private _reportedKey: string | null = null;
  private _failures = 0;
  /** A check failed since the source was last read fine: the next good read is a recovery. */
  private _failing = false;
  private _debounceTimer?: NodeJS.Timeout;
  /** The check a notification asked for when `debounceMs` is 0 (see `notify`). */
  private _checkSoon?: NodeJS.Immediate;
  private _maxWaitTimer?: NodeJS.Timeout;
  private _followUpTimer?: NodeJS.Timeout;
  private _followUpJob: Job = 'none';
  private _periodTimer?: NodeJS.Timeout;

  constructor(opts: CheckLoopOptions<C>) {
    this._opts = opts;
  }

  get signal(): AbortSignal {
    return this._abort.signal;
  }

  get stopped(): boolean {
    return this._abort.signal.aborted;
  }

  /** Something may have changed: check once things are quiet for `debounceMs` (or `maxWaitMs`). */
  notify(): void {
    if (this.stopped) return;
    this.stats.events++;
    // The debounced check this leads to brings its own confirm; a confirm now would skip the debounce.
    if (this._followUpJob === 'confirm') this._clearFollowUp();
    const { debounceMs, maxWaitMs } = this._opts;
    if (debounceMs === 0) {
      // No quiet period wanted: check on this turn of the event loop, after the I/O already in (so
      // notifications that came together share one check). A 0 ms timer sleeps 1 ms, and on a busy
      // machine the process then waits its turn for a CPU again: 10-40 ms with ten replicas on two cores.
      this._checkSoon ??= setImmediate(this._fire);
      return;
    }
    clearTimeout(this._debounceTimer);
    this._debounceTimer = setTimeout(this._fire, debounceMs);
    if (this._maxWaitTimer === undefined && debounceMs > 0) {
      this._maxWaitTimer = setTimeout(this._fire, maxWaitMs);
    }
  }

  /** Starts checking from `lastHash`; notifications before this wait for it. */
  begin(lastHash: string | null, checkNow: boolean): void {
    if (this.stopped || this._started) return;
    this._started = true;
    this.lastHash = lastHash;
    this._seenHash = lastHash;
    this._armPeriod();
    if (checkNow) this._request('check');
    else this._kick();
  }

  /** Aborts the running check (nothing more is delivered) and clears every timer. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this._abort.abort();
    this._pending = 'none';
    for (const timer of [this._debounceTimer, this._maxWaitTimer, this._followUpTimer, this._periodTimer]) {
      clearTimeout(timer);
    }
    clearImmediate(this._checkSoon);
  }

  /** Sends an error to `onError` (or the logger), counted in `stats.errors`. */
  report(error: Error): void {
    this.stats.errors++;
    const { onError, logger, source } = this._opts;
    if (!onError) {
      logger?.error({ err: error, source: source.name }, 'config watch error');
      return;
    }
    callSafely(
      () => onError(error),
      (thrown) => logger?.error({ err: thrown, source: source.name }, 'onError threw'),
    );
  }

  private readonly _fire = (): void => {
    clearTimeout(this._debounceTimer);
    clearTimeout(this._maxWaitTimer);
    clearImmediate(this._checkSoon);
    this._debounceTimer = this._maxWaitTimer = this._checkSoon = undefined;
    this._request('check');
  };

  private _request(job: Exclude<Job, 'none'>): void {
    if (this.stopped) return;
    if (job === 'check' || this._pending === 'none') this._pending = job;
    this._kick();
  }

  private _kick(): void {
    if (!this._started || this._running || this._pending === 'none' || this.stopped) return;
    this._running = true;
    void this._drain();
  }

  private async _drain(): Promise<void> {
    try {
      while (this._pending !== 'none' && !this.stopped) {
        const job = this._pending;
        this._pending = 'none';
        this._clearFollowUp();
        if (job === 'check') await this._check();
        else await this._confirm();
      }
    } finally {
      this._running = false;
    }
  }

  private async _check(): Promise<void> {
    const { source, probe, logger } = this._opts;
    const { signal } = this._abort;
    this.stats.checks++;
    let hash: string | null = null;
    let previousLoad: string | null = null;
    let failed = false;
    try {
      for (;;) {
        hash = null; // a probe that throws leaves no hash behind
        hash = await probe(signal, this.lastHash);
        if (hash === this.lastHash) {
          this._reportedKey = null;
          this._readFine();
          break;
        }
        if (this._reportedKey === _contentKey(hash)) break;
        let snapshot: ConfigSnapshot<C>;
        try {
          snapshot = await source.load({ signal });
        } catch (error) {
          // Gone between hash and load: read again, so absence gets the probe's grace.
          if (_codeOf(error) === ERROR_CODES.CFG_NOT_FOUND && !signal.aborted) continue;
          throw error;
        }
        if (signal.aborted) return;
        const loaded = snapshot.hash;
        if (loaded === this.lastHash) {
          // Back to what was delivered already: nothing new after all.
          hash = loaded;
          this._reportedKey = null;
          this._readFine();
          break;
        }
        // Trust a load whose hash the probe just saw, or that two loads in a row agree on (a
        // source whose hash() disagrees with its data, like a stale hash column).
        if (loaded === hash || loaded === previousLoad) {
          hash = loaded;
          this._readFine();
          await this._deliver(snapshot);
          break;
        }
        logger?.debug({ source: source.name, hash, loaded }, 'config moved during load; reading again');
        previousLoad = loaded;
      }
      this._seenHash = hash;
    } catch (error) {
      if (signal.aborted) return;
      failed = true;
      this._fail(toError(error), hash);
    }
    if (signal.aborted) return;
    this._afterCheck(failed);
  }

  private async _deliver(snapshot: ConfigSnapshot<C>): Promise<void> {
    const { source, onChange, logger } = this._opts;
    const event: ConfigChangeEvent<C> = {
      source: source.name,
      oldHash: this.lastHash,
      newHash: snapshot.hash,
      snapshot,
      at: new Date(),
    };
    this.lastHash = snapshot.hash;
    this._reportedKey = null;
    this.stats.changes++;
    logger?.debug({ source: source.name, oldHash: event.oldHash, newHash: event.newHash }, 'config changed');
    try {
      await onChange(event);
    } catch (error) {
      this.report(
        new WatchError(
          'CFG_WATCH_HANDLER',
          `onChange threw for ${source.name} (hash ${snapshot.hash.slice(0, 12)}); the change counts as delivered and is not retried: ${toError(error).message}`,
          { cause: error },
        ),
      );
    }
  }

  /** The source was read fine: after failed checks, that is a recovery, told once. */
  private _readFine(): void {
    if (!this._failing) return;
    this._failing = false;
    const { onRecover, logger, source } = this._opts;
    if (!onRecover) return;
    callSafely(onRecover, (thrown) => logger?.error({ err: thrown, source: source.name }, 'onRecover threw'));
  }

  /** One bad content (parse/validation) or one absence is reported once; other failures every time. */
  private _fail(error: Error, hash: string | null): void {
    this._failing = true;
    const code = _codeOf(error);
    const isContent = code === ERROR_CODES.CFG_PARSE || code === ERROR_CODES.CFG_VALIDATION;
    let key: string | null = null;
    if (code === ERROR_CODES.CFG_NOT_FOUND) key = MISSING_KEY;
    else if (isContent && hash !== null) key = _contentKey(hash);
    // The bytes the probe read, if it got that far: the confirm then looks for different ones.
    this._seenHash = hash;
    if (key !== null && key === this._reportedKey) {
      this._opts.logger?.debug({ source: this._opts.source.name, code }, 'same failure, already reported');
      return;
    }
    this._reportedKey = key;
    this.report(error);
  }

  private _afterCheck(failed: boolean): void {
    this._opts.afterCheck?.();
    this._armPeriod();
    const { retry, confirmDelayMs } = this._opts;
    if (failed && retry) {
      this._failures++;
      const wait = Math.min(retry.minMs * 2 ** (this._failures - 1), retry.maxMs);
      this._followUp(wait, 'check');
      return;
    }
    if (!failed) this._failures = 0;
    // Events since this check began lead to a debounced check, which confirms in its turn.
    const checkComing =
      this._debounceTimer !== undefined || this._checkSoon !== undefined || this._pending === 'check';
    if (confirmDelayMs > 0 && !checkComing) this._followUp(confirmDelayMs, 'confirm');
  }

  /** Re-hash without settling; any difference from what the last check saw earns a full check. */
  private async _confirm(): Promise<void> {
    const { signal } = this._abort;
    let hash: string | null;
    try {
      hash = await this._opts.source.hash({ signal });
    } catch {
      hash = null;
    }
    if (signal.aborted || hash === this._seenHash) return;
    this._opts.logger?.debug({ source: this._opts.source.name, hash }, 'confirm saw new bytes');
    this._request('check');
  }

  private _followUp(ms: number, job: Exclude<Job, 'none'>): void {
    clearTimeout(this._followUpTimer);
    this._followUpJob = job;
    this._followUpTimer = setTimeout(() => {
      this._followUpJob = 'none';
      this._request(job);
    }, ms);
  }

  private _clearFollowUp(): void {
    clearTimeout(this._followUpTimer);
    this._followUpJob = 'none';
  }

  private _armPeriod(): void {
    clearTimeout(this._periodTimer);
    const { periodMs } = this._opts;
    if (periodMs > 0) this._periodTimer = setTimeout(() => this._request('check'), periodMs);
  }
}

function _contentKey(hash: string): string {
  return `content:${hash}`;
}

function _codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null | undefined)?.code;
}
