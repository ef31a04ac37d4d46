/** Every error code this package raises, in one table so callers can branch on `error.code`. */
export const DIFF_ERROR_CODES = {
  CFG_DUPLICATE_MODULE: 'CFG_DUPLICATE_MODULE',
} as const;

export type DiffErrorCode = (typeof DIFF_ERROR_CODES)[keyof typeof DIFF_ERROR_CODES];

/**
 * Two modules share a name, so "the module called X" means nothing. `parseConfig` in `@cfg/source`
 * already rejects such configs; this guards callers that build configs by hand.
 */
export class DuplicateModuleError extends Error {
  override readonly name = 'DuplicateModuleError';
  readonly code = DIFF_ERROR_CODES.CFG_DUPLICATE_MODULE;
  readonly moduleName: string;
  /** Which argument held the duplicate. */
  readonly side: 'previous' | 'next';

  constructor(moduleName: string, side: 'previous' | 'next') {
    super(
      `module "${moduleName}" appears more than once in the ${side} config; give every module a unique name`,
    );
    this.moduleName = moduleName;
    this.side = side;
  }
}
