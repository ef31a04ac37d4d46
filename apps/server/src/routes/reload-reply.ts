import type { ReloadResult } from '@cfg/reloader';
import { codes } from '../http/errors.js';
import type { WriteOutcome } from '../writers/types.js';

/**
 * The reply to a write that was applied: `{ persisted, version, result }`. A change the reloader
 * refused is a 422 (its issues included), a module that failed while applying is a 500 that says
 * the previous config keeps serving; both say whether the write was stored.
 */
export function reloadReply(outcome: WriteOutcome, result: ReloadResult) {
  const stored = { persisted: outcome.persisted, version: outcome.version, result };
  if (result.outcome !== 'rejected') return stored;
  const note = outcome.persisted ? ` (stored as version ${outcome.version}, not applied)` : '';
  if (result.errorCode === 'CFG_VALIDATION') {
    throw codes.CFG_ERR_INVALID_CONFIG.with(
      { ...stored, issues: result.issues ?? [] },
      `${result.error}${note}`,
    );
  }
  throw codes.CFG_ERR_RELOAD_FAILED.with(stored, `${result.error}${note}`);
}
