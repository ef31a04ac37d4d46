import { type FSWatcher, watch } from 'node:fs';
import type { Logger } from '@cfg/source';

/** Quiet time after the last event before the nudge: a Kubernetes swap is several events in a row. */
const QUIET_MS = 50;
/** Longest a nudge waits while events keep coming. */
const MAX_WAIT_MS = 250;

export interface SecretDirsWatch {
  /** The directories being watched (those that could be). */
  readonly dirs: readonly string[];
  stop(): void;
}

/**
 * Watches the `--secret-dir` directories (not their subdirectories) and calls `nudge` — the poller's
 * "check now" — once things there settle: a rotated secret file, or a Kubernetes Secret volume's
 * `..data` swap. For the database and overlay modes, whose stored documents reference files the
 * `ConfigWatcher` of a config file never sees. It only decides when to look: the poller's hash
 * check, which re-reads every referenced file, decides whether anything changed; and the poll
 * interval still catches what an event misses (a subdirectory, a directory that appears later).
 */
export function watchSecretDirs(dirs: readonly string[], nudge: () => void, logger: Logger): SecretDirsWatch {
  const watchers: FSWatcher[] = [];
  const watched: string[] = [];
  let quiet: NodeJS.Timeout | undefined;
  let firstEventAt: number | undefined;
  const fire = () => {
    clearTimeout(quiet);
    quiet = undefined;
    firstEventAt = undefined;
    nudge();
  };
  const onEvent = () => {
    const now = performance.now();
    firstEventAt ??= now;
    clearTimeout(quiet);
    const wait = Math.min(QUIET_MS, Math.max(0, firstEventAt + MAX_WAIT_MS - now));
    quiet = setTimeout(fire, wait);
    quiet.unref();
  };
  for (const dir of dirs) {
    try {
      const watcher = watch(dir, { persistent: false }, onEvent);
      watcher.on('error', (error) =>
        logger.warn(
          { dir, err: error.message },
          `watching the secret directory ${dir} stopped (${error.message}); rotations there are seen at the next poll`,
        ),
      );
      watchers.push(watcher);
      watched.push(dir);
    } catch (error) {
      const message = (error as Error).message;
      logger.warn(
        { dir, err: message },
        `cannot watch the secret directory ${dir} (${message}); rotations there are seen at the next poll`,
      );
    }
  }
  return {
    dirs: watched,
    stop() {
      clearTimeout(quiet);
      for (const watcher of watchers) watcher.close();
    },
  };
}
