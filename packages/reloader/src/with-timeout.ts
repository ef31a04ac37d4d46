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
 * `ReloadError` at that moment even if `work` never settles. The timer is always cleared.
 */
export function withTimeout<T>(spec: TimeoutSpec, work: (signal: AbortSignal) => T): Promise<Awaited<T>> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    if (!Number.isFinite(spec.ms)) return;
    timer = setTimeout(() => {
      const error = new ReloadError(
        'CFG_RELOAD_TIMEOUT',
        `${spec.step} did not finish within ${spec.ms} ms; ${spec.fix}`,
      );
      controller.abort(error);
      reject(error);
    }, spec.ms);
  });
  const running = _run(work, controller.signal);
  // A step that settles after its timeout must not surface as an unhandled rejection.
  running.catch(() => {});
  return Promise.race([running, timedOut]).finally(() => clearTimeout(timer));
}

/** Turns a synchronous throw into a rejection, so both are timed and caught the same way. */
async function _run<T>(work: (signal: AbortSignal) => T, signal: AbortSignal): Promise<Awaited<T>> {
  return await work(signal);
}
