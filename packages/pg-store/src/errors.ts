/** Every error code this package raises, in one table so callers can branch on `error.code`. */
export const PG_STORE_ERROR_CODES = {
  CFG_PG_VERSION_CONFLICT: 'CFG_PG_VERSION_CONFLICT',
  CFG_PG_NOT_FOUND: 'CFG_PG_NOT_FOUND',
  CFG_PG_INVALID_KEY: 'CFG_PG_INVALID_KEY',
  CFG_PG_INVALID_IDENTIFIER: 'CFG_PG_INVALID_IDENTIFIER',
  CFG_PG_NOT_MIGRATED: 'CFG_PG_NOT_MIGRATED',
  CFG_PG_SCHEMA_TOO_NEW: 'CFG_PG_SCHEMA_TOO_NEW',
  CFG_PG_INVALID_NOTICE: 'CFG_PG_INVALID_NOTICE',
  CFG_PG_LISTEN: 'CFG_PG_LISTEN',
  CFG_PG_TIMEOUT: 'CFG_PG_TIMEOUT',
  CFG_PG_UNKNOWN_INSTANCE: 'CFG_PG_UNKNOWN_INSTANCE',
} as const;

export type PgStoreErrorCode = (typeof PG_STORE_ERROR_CODES)[keyof typeof PG_STORE_ERROR_CODES];

/** Base class of every error this package raises; branch on `code`. */
export abstract class PgStoreError extends Error {
  abstract readonly code: PgStoreErrorCode;
}

/** `expectedVersion` was not the current version. Nothing was written. */
export class VersionConflictError extends PgStoreError {
  override readonly name = 'VersionConflictError';
  readonly code = PG_STORE_ERROR_CODES.CFG_PG_VERSION_CONFLICT;
  readonly key: string;
  readonly expected: number;
  /** The current version; `0` when the document does not exist. */
  readonly actual: number;

  constructor(key: string, expected: number, actual: number) {
    super(
      `document "${key}" is at version ${actual}, not the expected ${expected}; ` +
        're-read it, re-apply your change and write again with the new expectedVersion',
    );
    this.key = key;
    this.expected = expected;
    this.actual = actual;
  }
}

/** The key (or the requested version of it) does not exist. */
export class DocumentNotFoundError extends PgStoreError {
  override readonly name = 'DocumentNotFoundError';
  readonly code = PG_STORE_ERROR_CODES.CFG_PG_NOT_FOUND;
  readonly key: string;
  /** The version that was asked for, when one was. */
  readonly version: number | undefined;

  constructor(key: string, version?: number, reason?: string) {
    const what = version === undefined ? `document "${key}"` : `version ${version} of document "${key}"`;
    super(reason ? `${what} ${reason}` : `${what} does not exist (list documents or history to find it)`);
    this.key = key;
    this.version = version;
  }
}

/** A document key broke the rule: 1–200 characters from `A-Z a-z 0-9 . _ / -`. */
export class InvalidKeyError extends PgStoreError {
  override readonly name = 'InvalidKeyError';
  readonly code = PG_STORE_ERROR_CODES.CFG_PG_INVALID_KEY;
  readonly key: unknown;

  constructor(key: unknown, options?: ErrorOptions) {
    super(`invalid document key ${_describe(key)}: use 1-200 characters from A-Z a-z 0-9 . _ / -`, options);
    this.key = key;
  }
}

/** A schema or channel name is not a plain PostgreSQL identifier. */
export class InvalidIdentifierError extends PgStoreError {
  override readonly name = 'InvalidIdentifierError';
  readonly code = PG_STORE_ERROR_CODES.CFG_PG_INVALID_IDENTIFIER;
  /** Which option was wrong: `schema` or `channel`. */
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown) {
    super(
      `invalid ${option} ${_describe(value)}: use 1-63 characters from a-z A-Z 0-9 _, not starting with a digit`,
    );
    this.option = option;
    this.value = value;
  }
}

/** The store's tables are missing: `migrate()` has not run against this schema. */
export class NotMigratedError extends PgStoreError {
  override readonly name = 'NotMigratedError';
  readonly code = PG_STORE_ERROR_CODES.CFG_PG_NOT_MIGRATED;
  readonly schema: string;

  constructor(schema: string, options?: ErrorOptions) {
    super(`schema "${schema}" has no config store tables; call store.migrate() first`, options);
    this.schema = schema;
  }
}

/** The schema was migrated by a newer version of this package; this code must not touch it. */
export class SchemaTooNewError extends PgStoreError {
  override readonly name = 'SchemaTooNewError';
  readonly code = PG_STORE_ERROR_CODES.CFG_PG_SCHEMA_TOO_NEW;
  readonly schema: string;
  /** The newest migration applied to the database. */
  readonly applied: number;
  /** The newest migration this code knows. */
  readonly known: number;

  constructor(schema: string, applied: number, known: number) {
    super(
      `schema "${schema}" is at migration ${applied} but this @cfg/pg-store only knows up to ${known}; ` +
        'upgrade @cfg/pg-store (never run an older version against a newer schema)',
    );
    this.schema = schema;
    this.applied = applied;
    this.known = known;
  }
}

/** A NOTIFY payload on the store's channel was not a change notice (someone else uses the channel?). */
export class InvalidNoticeError extends PgStoreError {
  override readonly name = 'InvalidNoticeError';
  readonly code = PG_STORE_ERROR_CODES.CFG_PG_INVALID_NOTICE;
  readonly channel: string;
  readonly payload: string;

  constructor(channel: string, payload: string, options?: ErrorOptions) {
    super(
      `ignored a notification on "${channel}" that is not a document change: ${payload.slice(0, 200)}`,
      options,
    );
    this.channel = channel;
    this.payload = payload;
  }
}

/** The LISTEN connection failed or dropped; `retryInMs` says when the next attempt happens. */
export class ListenConnectionError extends PgStoreError {
  override readonly name = 'ListenConnectionError';
  readonly code = PG_STORE_ERROR_CODES.CFG_PG_LISTEN;
  readonly channel: string;
  readonly retryInMs: number;

  constructor(channel: string, retryInMs: number, options?: ErrorOptions) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`LISTEN "${channel}" failed${reason}; retrying in ${retryInMs} ms`, options);
    this.channel = channel;
    this.retryInMs = retryInMs;
  }
}

/** Which bound a store call ran into. */
export type TimeoutPhase = 'connect' | 'lock' | 'statement';

/**
 * A store call ran out of time: no pool connection within `connectTimeoutMs`, a lock not granted
 * within `lockTimeoutMs`, or a statement cancelled at `statementTimeoutMs`. A write that ends this
 * way stored nothing (its transaction was rolled back, or never began).
 */
export class StoreTimeoutError extends PgStoreError {
  override readonly name = 'StoreTimeoutError';
  readonly code = PG_STORE_ERROR_CODES.CFG_PG_TIMEOUT;
  readonly phase: TimeoutPhase;
  /** The bound that was reached (the option's value). */
  readonly timeoutMs: number;

  constructor(phase: TimeoutPhase, timeoutMs: number, options?: ErrorOptions) {
    const what = {
      connect: `no database connection within ${timeoutMs} ms (connectTimeoutMs): the pool is busy or PostgreSQL does not answer`,
      lock: `a lock was not granted within ${timeoutMs} ms (lockTimeoutMs): another transaction holds it`,
      statement: `a statement ran past ${timeoutMs} ms (statementTimeoutMs) and was cancelled`,
    }[phase];
    super(`${what}; nothing was written, retry later`, options);
    this.phase = phase;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * An outcome was reported for an instance the store does not know (never registered, or pruned after
 * it stopped heartbeating for a day). Nothing was written: register it again, then report.
 */
export class UnknownInstanceError extends PgStoreError {
  override readonly name = 'UnknownInstanceError';
  readonly code = PG_STORE_ERROR_CODES.CFG_PG_UNKNOWN_INSTANCE;
  readonly instanceId: string;

  constructor(instanceId: string) {
    super(`instance "${instanceId}" is not registered; call registerInstance() first, then report again`);
    this.instanceId = instanceId;
  }
}

function _describe(value: unknown): string {
  if (typeof value !== 'string') return `(${typeof value})`;
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}
