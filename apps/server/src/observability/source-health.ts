import { type ConfigSource, type Logger, runWithTimeout } from '@cfg/source';
import type { ServerMetrics, SourceKind } from './metrics.js';
import { sourceErrorLine } from './source-error-line.js';

/** The last failure of a source the server watches, until it recovers. */
export interface SourceFailure {
  kind: SourceKind;
  source: string;
  code?: string;
  message: string;
  /** The latest failure. */
  at: Date;
  /** When the source started failing (the first failure since it last worked). */
  since: Date;
}

export interface SourceHealthOptions {
  logger: Logger;
  metrics: ServerMetrics;
  /** How often a failing source is read again in the background, and how long such a read may take. */
  recheck: { intervalMs: number; timeoutMs: number };
}

/** A watched source, and how to tell that it is readable again and back on what was delivered. */
interface TrackedSource {
  source: ConfigSource;
  lastHash: () => string | null;
}

/**
 * The health of the sources the server watches: each one's failure until it passes, logged once per
 * outage, and a background re-check that notices when a source is back on what was delivered. It
 * never reads a source on the caller's behalf, so health endpoints answer at once even while the
 * database stalls.
 */
export class SourceHealth {
  readonly #opts: SourceHealthOptions;
  readonly #failures = new Map<SourceKind, SourceFailure>();
  readonly #tracked = new Map<SourceKind, TrackedSource>();
  #timer: NodeJS.Timeout | undefined;
  /** The background re-check running now, until its last source read settled (one at a time). */
  #rechecking: Promise<void> | undefined;
  #stopped = false;
  /** A start from the local snapshot not yet confirmed by the store (cleared when the poller recovers). */
  #unconfirmedSnapshot = false;

  constructor(opts: SourceHealthOptions) {
    this.#opts = opts;
  }

  /** The failures shown now, one per kind of source. */
  failures(): SourceFailure[] {
    return [...this.#failures.values()];
  }

  /** True from a start on the local snapshot until the store is read fine again. */
  get unconfirmedSnapshot(): boolean {
    return this.#unconfirmedSnapshot;
  }

  /** `onError` and `onRecover` for the watcher or poller of `kind` reading `source`. */
  hooks(kind: SourceKind, source: string): { onError: (error: Error) => void; onRecover: () => void } {
    return { onError: this.errorHandler(kind, source), onRecover: () => this.recovered(kind) };
  }

  /** The source `kind` delivered (or was re-checked and is back): its last error no longer holds; said once. */
  recovered(kind: SourceKind): void {
    const failure = this.#failures.get(kind);
    if (!failure) return;
    this.#failures.delete(kind);
    // The poller reads the store: a snapshot start is confirmed once it reads it again.
    if (kind === 'poller') this.#unconfirmedSnapshot = false;
    const seconds = ((Date.now() - failure.since.getTime()) / 1000).toFixed(1);
    this.#opts.logger.info(
      { source: failure.source, kind, seconds },
      `${kind}: ${failure.source} is readable again (after ${seconds} s)`,
    );
  }

  /** Registers a watched source, so the background re-check can tell when a failure has passed. */
  track(kind: SourceKind, source: ConfigSource, lastHash: () => string | null): void {
    this.#tracked.set(kind, { source, lastHash });
  }

  /**
   * An error handler for a watcher or poller: counted, shown until it passes, and logged once per
   * outage. A bad content is reported once per content already (so each is news); any other failure
   * repeats on every retry (a database that is gone: every 0.25–5 s), so only the first of an outage
   * is a WARN, the rest DEBUG, and its end one INFO (`recovered`).
   */
  errorHandler(kind: SourceKind, source: string): (error: Error) => void {
    return (error) => {
      const code = (error as { code?: unknown }).code;
      const ongoing = this.#failures.get(kind);
      this.#set(kind, source, error.message, typeof code === 'string' ? code : undefined);
      const { metrics, logger } = this.#opts;
      metrics.sourceError(kind);
      metrics.setDegraded(true);
      const news = !ongoing || code === 'CFG_PARSE' || code === 'CFG_VALIDATION';
      (news ? logger.warn : logger.debug).call(
        logger,
        { source, code, err: error.message },
        sourceErrorLine(kind, error),
      );
    };
  }

  /** The process started from the local snapshot: the store counts as failing until it is read again. */
  startedFromSnapshot(source: string, message: string, code: string | undefined): void {
    this.#unconfirmedSnapshot = true;
    this.#set('poller', source, message, code);
  }

  /** No more background re-checks. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #set(kind: SourceKind, source: string, message: string, code: string | undefined): void {
    const now = new Date();
    const since = this.#failures.get(kind)?.since ?? now;
    this.#failures.set(kind, {
      kind,
      source,
      ...(code === undefined ? {} : { code }),
      message,
      at: now,
      since,
    });
    this.#scheduleRecheck();
  }

  /** Arms the next background re-check while any failure is shown. */
  #scheduleRecheck(): void {
    if (this.#timer || this.#rechecking || this.#stopped || this.#failures.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#rechecking = this.#recheckAll().finally(() => {
        this.#rechecking = undefined;
        this.#scheduleRecheck();
      });
    }, this.#opts.recheck.intervalMs).unref();
  }

  async #recheckAll(): Promise<void> {
    for (const kind of [...this.#failures.keys()]) await this.#recheckOne(kind);
  }

  /**
   * A source whose bytes are back to what was last delivered has recovered even though nothing was
   * delivered (a broken save undone by the next one, a database back after an outage). An answer
   * later than the re-check timeout does not count; the next re-check waits until the read settled.
   */
  async #recheckOne(kind: SourceKind): Promise<void> {
    const tracked = this.#tracked.get(kind);
    if (!tracked) return;
    let read: Promise<string> | undefined;
    const inTime = await runWithTimeout(
      this.#opts.recheck.timeoutMs,
      (signal) => (read = tracked.source.hash({ signal })),
      () => new DOMException('the re-check took too long', 'TimeoutError'),
    ).catch(() => undefined);
    if (inTime !== undefined && inTime === tracked.lastHash()) this.recovered(kind);
    await read?.catch(() => {});
  }
}
