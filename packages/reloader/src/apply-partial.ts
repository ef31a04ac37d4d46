import type { ModuleChange } from '@cfg/diff';
import { errorMessage } from '@cfg/source';
import type { ModuleReport, Reconfigurable } from './types.js';
import { withTimeout } from './with-timeout.js';

export interface PartialStep {
  change: ModuleChange;
  module: Reconfigurable;
}

export interface ModuleFailure {
  name: string;
  error: unknown;
}

export type PartialApplyResult =
  | { ok: true; reports: ModuleReport[] }
  /** `prepare`: nothing was touched. `reconfigure`: the modules done before `failed` were rolled back. */
  | { ok: false; phase: 'prepare' | 'reconfigure'; failed: ModuleFailure; reports: ModuleReport[] };

/**
 * Reconfigures modules in place, all or nothing, in the order given (dependencies first):
 * 1. prepare: `prepareReconfigure(next)` on every module; the first failure stops here, untouched;
 * 2. apply: `reconfigure(next)` one by one, each bounded by `moduleTimeoutMs` (its signal aborts);
 * 3. on a failure, `reconfigure(previous)` on the modules already done, in reverse order.
 * A rollback that fails is reported as `failed` and the others still roll back; the caller then
 * rebuilds everything, which is the only way left to a consistent state.
 */
export async function applyPartial(
  steps: readonly PartialStep[],
  moduleTimeoutMs: number,
): Promise<PartialApplyResult> {
  for (const { change, module } of steps) {
    if (!module.prepareReconfigure) continue;
    const { error, durationMs } = await _timed(moduleTimeoutMs, change.name, 'prepareReconfigure', () =>
      module.prepareReconfigure?.(change.next),
    );
    if (error !== undefined) {
      const report = _report(change.name, 'failed', durationMs, error);
      return { ok: false, phase: 'prepare', failed: { name: change.name, error }, reports: [report] };
    }
  }

  const done: { step: PartialStep; durationMs: number }[] = [];
  for (const step of steps) {
    const { change, module } = step;
    const { error, durationMs } = await _timed(moduleTimeoutMs, change.name, 'reconfigure', (signal) =>
      module.reconfigure(change.next, { previous: change.previous, signal }),
    );
    if (error === undefined) {
      done.push({ step, durationMs });
      continue;
    }
    const failedReport = _report(change.name, 'failed', durationMs, error);
    const rollbackReports = await _rollBack(done, moduleTimeoutMs);
    return {
      ok: false,
      phase: 'reconfigure',
      failed: { name: change.name, error },
      reports: [...rollbackReports, failedReport],
    };
  }
  return {
    ok: true,
    reports: done.map(({ step, durationMs }) => _report(step.change.name, 'reconfigured', durationMs)),
  };
}

/** Takes the modules in `done` back to their previous config, newest first. Reports in apply order. */
async function _rollBack(
  done: readonly { step: PartialStep; durationMs: number }[],
  moduleTimeoutMs: number,
): Promise<ModuleReport[]> {
  const reports: ModuleReport[] = [];
  for (const { step, durationMs: applyMs } of [...done].reverse()) {
    const { change, module } = step;
    const { error, durationMs } = await _timed(moduleTimeoutMs, change.name, 'rollback', (signal) =>
      module.reconfigure(change.previous, { previous: change.next, signal }),
    );
    const total = applyMs + durationMs;
    reports.unshift(
      error === undefined
        ? _report(change.name, 'rolled-back', total)
        : _report(change.name, 'failed', total, new Error(`rollback failed: ${errorMessage(error)}`)),
    );
  }
  return reports;
}

/** Runs one module step under the timeout; never throws. `error` is `undefined` on success. */
async function _timed(
  ms: number,
  name: string,
  step: 'prepareReconfigure' | 'reconfigure' | 'rollback',
  work: (signal: AbortSignal) => unknown,
): Promise<{ error: unknown; durationMs: number }> {
  const started = performance.now();
  const spec = {
    ms,
    step: `module ${JSON.stringify(name)} ${step}`,
    fix: 'raise moduleTimeoutMs, or make the module stop when ctx.signal aborts',
  };
  try {
    await withTimeout(spec, work);
    return { error: undefined, durationMs: performance.now() - started };
  } catch (error) {
    // `throw undefined` is still a failure; keep it distinguishable from success.
    return { error: error ?? new Error('threw undefined'), durationMs: performance.now() - started };
  }
}

function _report(
  name: string,
  status: ModuleReport['status'],
  durationMs: number,
  error?: unknown,
): ModuleReport {
  return error === undefined
    ? { name, status, durationMs }
    : { name, status, durationMs, error: errorMessage(error) };
}
