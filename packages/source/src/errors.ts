/** Every error code this package raises, in one table so callers can branch on `error.code`. */
export const ERROR_CODES = {
  CFG_PARSE: 'CFG_PARSE',
  CFG_VALIDATION: 'CFG_VALIDATION',
  CFG_NOT_FOUND: 'CFG_NOT_FOUND',
  CFG_SOURCE: 'CFG_SOURCE',
  CFG_NO_USABLE_CONFIG: 'CFG_NO_USABLE_CONFIG',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/**
 * The config text could not be read as a config. `message` is one line:
 * `config.yaml:12:3: duplicate key "port"` (line and column are 1-based; 0 when unknown).
 */
export class ConfigParseError extends Error {
  // `string`, so that `ConfigReferenceError` can name itself.
  override readonly name: string = 'ConfigParseError';
  readonly code = ERROR_CODES.CFG_PARSE;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The message without the `file:line:column: ` prefix. */
  readonly reason: string;

  constructor(
    reason: string,
    where: { file: string; line?: number; column?: number },
    options?: ErrorOptions,
  ) {
    const line = where.line ?? 0;
    const column = where.column ?? 0;
    const at = line > 0 ? `${where.file}:${line}:${column}` : where.file;
    super(`${at}: ${reason}`, options);
    this.file = where.file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

export interface ValidationIssue {
  /**
   * Dotted location that names modules, e.g. `modules.limiter.config.rps` (`moduleIssuePath`;
   * `issueNodePath` reads it back); empty for the whole config.
   */
  path: string;
  message: string;
}

/** A config that parsed but is not acceptable (schema or rule violations). */
export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';
  readonly code = ERROR_CODES.CFG_VALIDATION;
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[], options?: ErrorOptions & { subject?: string }) {
    const first = issues[0];
    const head = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid config';
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(`${options?.subject ? `${options.subject}: ` : ''}${head}${more}`, options);
    this.issues = issues;
  }
}

/** The config does not exist where the source looked (a missing file, an unknown document key). */
export class ConfigNotFoundError extends Error {
  override readonly name = 'ConfigNotFoundError';
  readonly code = ERROR_CODES.CFG_NOT_FOUND;
  /** The path or key that was looked up. */
  readonly location: string;

  constructor(message: string, location: string, options?: ErrorOptions) {
    super(message, options);
    this.location = location;
  }
}

/** A source is unusable as set up (e.g. a `CompositeSource` with no sources). Fix the caller's code. */
export class ConfigSourceError extends Error {
  override readonly name = 'ConfigSourceError';
  readonly code = ERROR_CODES.CFG_SOURCE;
}

/** A candidate `firstUsable` passed over: it did not parse, or the check refused it. */
export interface SkippedConfig {
  /** The candidate's `name`. */
  source: string;
  /** The stored version, when the candidate is one. */
  version?: number;
  code: typeof ERROR_CODES.CFG_PARSE | typeof ERROR_CODES.CFG_VALIDATION;
  message: string;
  /** For `CFG_VALIDATION`: every issue. */
  issues?: ValidationIssue[];
}

/** `firstUsable` found no candidate that parses and passes the check. `skipped` says why, newest first. */
export class NoUsableConfigError extends Error {
  override readonly name = 'NoUsableConfigError';
  readonly code = ERROR_CODES.CFG_NO_USABLE_CONFIG;
  readonly skipped: SkippedConfig[];

  constructor(skipped: SkippedConfig[], options?: ErrorOptions & { limit?: number }) {
    const first = skipped[0];
    const tried = `${skipped.length} tried${options?.limit === skipped.length ? ' (the limit)' : ''}`;
    super(
      first ? `no usable config among ${tried}; the newest, ${describeSkipped(first)}` : 'no config to try',
      options,
    );
    this.skipped = skipped;
  }
}

/** `version 5: <message>`, or the message alone for an unversioned candidate. */
export function describeSkipped(skipped: SkippedConfig): string {
  return skipped.version === undefined ? skipped.message : `version ${skipped.version}: ${skipped.message}`;
}
