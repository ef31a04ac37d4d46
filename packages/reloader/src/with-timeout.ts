import { runWithTimeout } from '@cfg/source';
import { ReloadError } from './errors.js';

export interface TimeoutSpec {
  /** The limit; `Infinity` means none. */
  ms: number;
  /** The step, for the error message: `module "db" reconfigure`. */
  step: string;
  /** How to fix it, for the error message: `raise moduleTimeoutMs, or …`. */
  fix: string;
}

/**
 * Runs `work` with a signal that aborts after `spec.ms`, and rejects with a `CFG_RELOAD_TIMEOUT`
 * `ReloadError` at that moment even if `work` never settles (`runWithTimeout`).
 */
export function withTimeout<T>(spec: TimeoutSpec, work: (signal: AbortSignal) => T): Promise<Awaited<T>> {
  return runWithTimeout(
    spec.ms,
    work,
    () =>
      new ReloadError('CFG_RELOAD_TIMEOUT', `${spec.step} did not finish within ${spec.ms} ms; ${spec.fix}`),
  );
}
