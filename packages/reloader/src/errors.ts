import { ERROR_CODES } from '@cfg/source';

/** Every code a rejected change can carry, in one table so callers can branch on `errorCode`. */
export const RELOAD_ERROR_CODES = {
  /** The validator, or a module's `prepareReconfigure`, refused the config (`ConfigValidationError`). */
  CFG_VALIDATION: ERROR_CODES.CFG_VALIDATION,
  /** A module step or the full reload did not finish in time; its signal was aborted. */
  CFG_RELOAD_TIMEOUT: 'CFG_RELOAD_TIMEOUT',
  /** The full reload (or a partial reload and its fallback full reload) threw. */
  CFG_RELOAD_FAILED: 'CFG_RELOAD_FAILED',
} as const;

export type ReloadErrorCode = (typeof RELOAD_ERROR_CODES)[keyof typeof RELOAD_ERROR_CODES];

/** A change could not be applied; the last good config is still current. */
export class ReloadError extends Error {
  override readonly name = 'ReloadError';
  readonly code: Exclude<ReloadErrorCode, 'CFG_VALIDATION'>;

  constructor(code: ReloadError['code'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
