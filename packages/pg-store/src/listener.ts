import type { DocumentSubscribeOptions } from '@cfg/source';
import type { Notification, Pool, PoolClient } from 'pg';
import { checkout } from './db.js';
import { ListenConnectionError } from './errors.js';
import { parseNotice } from './notice.js';
import type { ResolvedOptions } from './options.js';
import type { PgDocumentChangeNotice } from './types.js';
import { quoteIdentifier } from './validate.js';

export type ChangeListenerFn = (notice: PgDocumentChangeNotice) => void;

/** A NOTIFY channel and how to read its payloads (a throw: not a notice, given to `onError`). */
export interface NoticeFeed<N> {
  channel: string;
  parse(channel: string, payload: string): N;
}

/** The document channel's feed. */
export function documentFeed(opts: ResolvedOptions): NoticeFeed<PgDocumentChangeNotice> {
  return { channel: opts.channel, parse: parseNotice };
}

interface Subscriber<N> extends DocumentSubscribeOptions {
  listener: (notice: N) => void;
  /** True once `subscribe` resolved for it; from then on, a (re)connect means "you may have missed some". */
  settled: boolean;
  settle: () => void;
}

type State = 'idle' | 'connecting' | 'listening' | 'waiting';

interface Connection {
  client: PoolClient;
  detach: () => void;
}

/**
 * One dedicated LISTEN connection shared by every subscriber of a store. Notices are hints (they
 * are lost while disconnected, by PostgreSQL's design), so after every re-connect subscribers get
 * `onReconnect` and should re-check. Re-connects back off exponentially with jitter, capped.
 */
export class ChangeListener<N = PgDocumentChangeNotice> {
  readonly #pool: Pool;
  readonly #opts: ResolvedOptions;
  readonly #feed: NoticeFeed<N>;
  readonly #subscribers = new Set<Subscriber<N>>();
  #state: State = 'idle';
  #connection: Connection | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Failed attempts since the last successful LISTEN; drives the backoff. */
  #attempts = 0;
  /** When the current outage began (the first failed attempt since LISTEN last worked). */
  #lostAt = 0;
  /** Bumped by `#stop`, so a connect that finishes after it lets go of its client. */
  #generation = 0;

  constructor(pool: Pool, opts: ResolvedOptions, feed: NoticeFeed<N>) {
    this.#pool = pool;
    this.#opts = opts;
    this.#feed = feed;
  }

  /**
   * Resolves once LISTEN is active, or once the first attempt failed (retries go on, reported to
   * `onError`; `onReconnect` follows when one succeeds). Returns an idempotent async unsubscribe;
   * the last one releases the connection.
   */
  async subscribe(
    listener: (notice: N) => void,
    subOpts: DocumentSubscribeOptions = {},
  ): Promise<() => Promise<void>> {
    const subscriber = { ...subOpts, listener, settled: false } as Subscriber<N>;
    const settled = new Promise<void>((resolve) => {
      subscriber.settle = () => {
        subscriber.settled = true;
        resolve();
      };
    });
    this.#subscribers.add(subscriber);
    if (this.#state === 'idle') void this.#connect();
    else if (this.#state !== 'connecting') subscriber.settle();
    await settled;
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      this.#subscribers.delete(subscriber);
      if (this.#subscribers.size === 0) await this.#stop();
    };
  }

  async #connect(): Promise<void> {
    this.#state = 'connecting';
    const generation = this.#generation;
    let connection: Connection | undefined;
    try {
      connection = this.#attach(await checkout(this.#pool, this.#opts));
      await connection.client.query(`listen ${quoteIdentifier(this.#feed.channel)}`);
    } catch (error) {
      connection?.client.release(true);
      if (generation === this.#generation) this.#retry(error);
      return;
    }
    if (generation !== this.#generation) {
      connection.client.release(true); // unsubscribed meanwhile; destroyed rather than pooled while LISTENing
      return;
    }
    this.#connection = connection;
    this.#state = 'listening';
    if (this.#attempts > 0) {
      const seconds = ((performance.now() - this.#lostAt) / 1000).toFixed(1);
      this.#opts.logger?.info(
        { channel: this.#feed.channel, failedAttempts: this.#attempts, seconds },
        `LISTEN "${this.#feed.channel}" restored after ${this.#attempts} failed attempts (${seconds} s)`,
      );
    }
    this.#attempts = 0;
    for (const subscriber of this.#subscribers) {
      if (!subscriber.settled) subscriber.settle();
      else if (subscriber.onReconnect) this.#safely(subscriber.onReconnect, 'onReconnect threw');
    }
  }

  /** Wires a fresh client's events to this listener; `detach` undoes it before the client is pooled again. */
  #attach(client: PoolClient): Connection {
    const onError = (error: Error) => this.#lost(connection, error);
    const onEnd = () => this.#lost(connection, new Error('connection ended'));
    const connection: Connection = {
      client,
      detach: () => {
        client.off('error', onError).off('end', onEnd).off('notification', this.#onNotification);
      },
    };
    client.on('error', onError).on('end', onEnd).on('notification', this.#onNotification);
    return connection;
  }

  /** The LISTEN connection broke (or was terminated): destroy it and try again later. */
  #lost(connection: Connection, error: Error): void {
    // Already handled, or not listening yet (then #connect's catch handles it).
    if (this.#connection !== connection) return;
    this.#connection = undefined;
    // Still attached, so a late 'error' from the dying client is swallowed here, not thrown.
    connection.client.release(true);
    this.#retry(error);
  }

  /**
   * Schedules the next attempt. Logged once per outage (WARN at its first failure; each retry after
   * it at DEBUG; INFO when LISTEN works again), never once per attempt: a replica whose database
   * went away logged a line every 1–2 s, for as long as it was away.
   */
  #retry(cause: unknown): void {
    const delay = this.#nextDelay();
    this.#attempts++;
    this.#state = 'waiting';
    const error = new ListenConnectionError(this.#feed.channel, delay, { cause });
    const { channel } = this.#feed;
    const { maxReconnectDelayMs } = this.#opts;
    const reason = cause instanceof Error ? cause.message : String(cause); // `errorMessage`: types only here
    const fields = { channel, attempt: this.#attempts, retryInMs: delay, err: reason };
    if (this.#attempts === 1) {
      this.#lostAt = performance.now();
      this.#opts.logger?.warn(
        fields,
        `LISTEN "${channel}" connection lost: ${reason}; retrying, backing off to at most ${maxReconnectDelayMs} ms (retries at debug level)`,
      );
    } else {
      this.#opts.logger?.debug(
        fields,
        `LISTEN "${channel}" attempt ${this.#attempts} failed: ${reason}; retrying in ${delay} ms`,
      );
    }
    for (const subscriber of this.#subscribers) {
      const { onError } = subscriber;
      if (onError) this.#safely(() => onError(error), 'onError threw');
      if (!subscriber.settled) subscriber.settle();
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#connect();
    }, delay);
  }

  /** Exponential from `reconnectDelayMs`, capped at `maxReconnectDelayMs`, jittered to 50–100 %. */
  #nextDelay(): number {
    const { reconnectDelayMs, maxReconnectDelayMs } = this.#opts;
    const base = Math.min(maxReconnectDelayMs, reconnectDelayMs * 2 ** this.#attempts);
    return Math.round(base * (0.5 + Math.random() * 0.5));
  }

  async #stop(): Promise<void> {
    this.#generation++;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#state = 'idle';
    this.#attempts = 0;
    const connection = this.#connection;
    this.#connection = undefined;
    if (!connection) return;
    try {
      await connection.client.query('unlisten *');
      connection.detach();
      connection.client.release();
    } catch (error) {
      connection.client.release(error as Error);
    }
  }

  readonly #onNotification = (message: Notification): void => {
    if (message.channel !== this.#feed.channel) return;
    let notice: N;
    try {
      notice = this.#feed.parse(message.channel, message.payload ?? '');
    } catch (error) {
      this.#opts.logger?.warn({ err: error, channel: message.channel }, (error as Error).message);
      for (const { onError } of this.#subscribers) {
        if (onError) this.#safely(() => onError(error as Error), 'onError threw');
      }
      return;
    }
    for (const { listener } of this.#subscribers) {
      this.#safely(() => listener(notice), 'change listener threw');
    }
  };

  /**
   * Runs a caller's callback; a throw is logged, never allowed to break the connection's handlers.
   * `@cfg/source`'s `callSafely`, written again: this package may use `@cfg/source`'s types only.
   */
  #safely(fn: () => void, message: string): void {
    try {
      fn();
    } catch (error) {
      this.#opts.logger?.error({ err: error }, message);
    }
  }
}
