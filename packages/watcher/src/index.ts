export { ConfigWatcher, type WatchableFileSource } from './config-watcher.js';
export { WATCH_ERROR_CODES, WatchError, type WatchErrorCode } from './errors.js';
export type {
  CommonWatchOptions,
  ConfigWatcherOptions,
  ResolvedConfigWatcherOptions,
  ResolvedSourcePollerOptions,
  SourcePollerOptions,
} from './options.js';
export { SourcePoller } from './source-poller.js';
export type { ChangeHandler, ErrorHandler, WatchStats } from './types.js';
