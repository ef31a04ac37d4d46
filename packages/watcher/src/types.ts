import type { AppConfig, ConfigChangeEvent } from '@cfg/source';

/** Receives each change in order. A returned promise is awaited before the next check runs. */
export type ChangeHandler<C extends AppConfig = AppConfig> = (event: ConfigChangeEvent<C>) => unknown;

/** Receives config failures (`ConfigNotFoundError`, `ConfigParseError`, source errors) and `WatchError`s. */
export type ErrorHandler = (error: Error) => void;

/** Counters since construction. */
export interface WatchStats {
  /** Notifications that asked for a check: relevant file-system events, or source hints. */
  events: number;
  /** Checks run (each reads the hash; only a new hash is loaded). */
  checks: number;
  /** Changes delivered to `onChange`. */
  changes: number;
  /** Errors reported to `onError`. */
  errors: number;
}
