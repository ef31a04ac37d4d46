import type { PgConfigStore } from '@cfg/pg-store';
import { rolloutLines } from './format.js';

/**
 * `--wait` of `cfg push` and `cfg rollback`: waits for `version` of `key` to settle across the live
 * instances (`waitForRollout`: woken by their outcome reports, re-read every 500 ms) and says how it
 * went. Exit code 0 when every live instance reports it, 1 on a rejection or the timeout.
 */
export async function awaitRollout(
  store: PgConfigStore,
  key: string,
  version: number,
  timeoutMs: number,
): Promise<{ lines: string[]; exitCode: 0 | 1 }> {
  const started = performance.now();
  const rollout = await store.waitForRollout(key, version, { timeoutMs, pollIntervalMs: 500 });
  return rolloutLines(rollout, performance.now() - started);
}
