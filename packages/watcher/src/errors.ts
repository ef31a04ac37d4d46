/** Every error code this package raises, in one table so callers can branch on `error.code`. */
export const WATCH_ERROR_CODES = {
  /** `start()` could not begin: the directory to watch is missing, or a poller's first read failed. */
  CFG_WATCH_START: 'CFG_WATCH_START',
  /** `start()` was called after `stop()`. A stopped watcher stays stopped; create a new one. */
  CFG_WATCH_STOPPED: 'CFG_WATCH_STOPPED',
  /** `onChange` threw or rejected. The change still counts as delivered and is not retried. */
  CFG_WATCH_HANDLER: 'CFG_WATCH_HANDLER',
  /** chokidar reported an error while watching (permissions, too many watchers, …). */
  CFG_WATCH_FS: 'CFG_WATCH_FS',
  /** An option has an invalid value. */
  CFG_WATCH_OPTIONS: 'CFG_WATCH_OPTIONS',
} as const;

export type WatchErrorCode = (typeof WATCH_ERROR_CODES)[keyof typeof WATCH_ERROR_CODES];

/**
 * A failure of the watching itself. Failures of the config (missing file, bad YAML) reach `onError`
 * as the source's own `ConfigNotFoundError` / `ConfigParseError`, not wrapped.
 */
export class WatchError extends Error {
  override readonly name = 'WatchError';
  readonly code: WatchErrorCode;

  constructor(code: WatchErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** The error `start()` throws after `stop()`. */
export function stoppedError(name: string): WatchError {
  return new WatchError(
    'CFG_WATCH_STOPPED',
    `the watcher of ${name} was stopped; create a new one instead of restarting it`,
  );
}

/** Anything thrown, as an `Error`. */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
