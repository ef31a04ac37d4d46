import { STATUS_CODES } from 'node:http';
import { format } from 'node:util';

/** The JSON body of every error reply. */
export interface ErrorReply {
  statusCode: number;
  code: string;
  /** The HTTP reason phrase, e.g. `Unprocessable Entity`. */
  error: string;
  message: string;
  /** Extra fields some errors carry: `issues` (422), `currentVersion` (412), `retryAfterSeconds` (429, 503). */
  [detail: string]: unknown;
}

/** An error that becomes an HTTP reply: `{ statusCode, code, error, message, ...details }`. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly code: string;
  readonly statusCode: number;
  readonly details: Record<string, unknown>;

  constructor(
    code: string,
    statusCode: number,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.code = code;
    this.statusCode = statusCode;
    this.details = details;
  }

  toReply(): ErrorReply {
    return {
      ...this.details,
      statusCode: this.statusCode,
      code: this.code,
      error: STATUS_CODES[this.statusCode] ?? 'Error',
      message: this.message,
    };
  }
}

/** Creates one entry of the error table, as fastify's `createError(code, message, statusCode)`. */
export interface HttpErrorFactory {
  (...args: unknown[]): HttpError;
  readonly code: string;
  readonly statusCode: number;
  /** The message template (`%s` placeholders filled from the arguments). */
  readonly message: string;
  /** Adds details and a cause to the error the factory makes. */
  with(details: Record<string, unknown>, ...args: unknown[]): HttpError;
}

export function createError(code: string, message: string, statusCode: number): HttpErrorFactory {
  const make = (args: unknown[], details: Record<string, unknown> = {}) =>
    new HttpError(code, statusCode, args.length > 0 ? format(message, ...args) : message, details, {
      cause: args.find((a) => a instanceof Error),
    });
  return Object.assign((...args: unknown[]) => make(args), {
    code,
    statusCode,
    message,
    with: (details: Record<string, unknown>, ...args: unknown[]) => make(args, details),
  });
}

/**
 * Every error the HTTP API replies with, in one table: the key is the `code` clients branch on.
 * The README's "Errors" table lists the same codes (a test keeps the two in step).
 */
export const codes = {
  CFG_ERR_BAD_REQUEST: createError('CFG_ERR_BAD_REQUEST', '%s', 400),
  CFG_ERR_INVALID_JSON: createError('CFG_ERR_INVALID_JSON', 'the body is not valid JSON: %s', 400),
  CFG_ERR_UNAUTHORIZED: createError(
    'CFG_ERR_UNAUTHORIZED',
    'missing or unknown bearer token: send "Authorization: Bearer <token>"',
    401,
  ),
  CFG_ERR_BASIC_AUTH: createError(
    'CFG_ERR_BASIC_AUTH',
    '%s is protected by module "%s": send a user name and password (HTTP Basic)',
    401,
  ),
  CFG_ERR_FORBIDDEN: createError(
    'CFG_ERR_FORBIDDEN',
    'token "%s" is read-only; this needs an admin token',
    403,
  ),
  CFG_ERR_NOT_FOUND: createError('CFG_ERR_NOT_FOUND', 'nothing is served at %s %s', 404),
  CFG_ERR_MODULE_NOT_FOUND: createError(
    'CFG_ERR_MODULE_NOT_FOUND',
    'no module named "%s" (GET /api/v1/modules lists them)',
    404,
  ),
  CFG_ERR_VERSION_NOT_FOUND: createError('CFG_ERR_VERSION_NOT_FOUND', '%s', 404),
  CFG_ERR_REQUEST_TIMEOUT: createError(
    'CFG_ERR_REQUEST_TIMEOUT',
    'the request did not arrive in time; send it again',
    408,
  ),
  CFG_ERR_NOT_PERSISTENT: createError(
    'CFG_ERR_NOT_PERSISTENT',
    'this server has no config store, so it keeps no %s: start it with --database-url or --store embedded',
    409,
  ),
  CFG_ERR_OVERLAY_CONFLICT: createError(
    'CFG_ERR_OVERLAY_CONFLICT',
    'the overlay holds an entry for "%s" written for type "%s", but the config file now makes it a "%s"; clear that entry first (roll the overlay back, or cfg push it without the entry)',
    409,
  ),
  CFG_ERR_VERSION_CONFLICT: createError('CFG_ERR_VERSION_CONFLICT', '%s', 412),
  CFG_ERR_BODY_TOO_LARGE: createError('CFG_ERR_BODY_TOO_LARGE', 'the body is larger than %s bytes', 413),
  CFG_ERR_DOCUMENT_TOO_LARGE: createError(
    'CFG_ERR_DOCUMENT_TOO_LARGE',
    'the resulting document would be %s bytes, over the limit of %s bytes (cfg serve --max-document-bytes); nothing was stored',
    413,
  ),
  CFG_ERR_UNSUPPORTED_MEDIA_TYPE: createError(
    'CFG_ERR_UNSUPPORTED_MEDIA_TYPE',
    'send the body as "Content-Type: application/json", not %s',
    415,
  ),
  CFG_ERR_INVALID_CONFIG: createError('CFG_ERR_INVALID_CONFIG', '%s', 422),
  CFG_ERR_INVALID_REFERENCE: createError('CFG_ERR_INVALID_REFERENCE', '%s', 422),
  CFG_ERR_RATE_LIMITED: createError('CFG_ERR_RATE_LIMITED', 'rate limited by "%s"; retry in %s s', 429),
  CFG_ERR_HEADERS_TOO_LARGE: createError(
    'CFG_ERR_HEADERS_TOO_LARGE',
    'the request headers are larger than the server accepts',
    431,
  ),
  CFG_ERR_INTERNAL: createError('CFG_ERR_INTERNAL', 'internal error (the server log has the details)', 500),
  CFG_ERR_RELOAD_FAILED: createError('CFG_ERR_RELOAD_FAILED', '%s', 500),
  CFG_ERR_SOURCE_UNAVAILABLE: createError(
    'CFG_ERR_SOURCE_UNAVAILABLE',
    'the config source cannot be read right now (%s); retry later',
    503,
  ),
  CFG_ERR_TOO_MANY_STREAMS: createError(
    'CFG_ERR_TOO_MANY_STREAMS',
    'this server already serves %s event streams (--max-sse-clients); retry later or on another replica',
    503,
  ),
  CFG_ERR_SHUTTING_DOWN: createError(
    'CFG_ERR_SHUTTING_DOWN',
    'this server is shutting down; retry on another replica',
    503,
  ),
} as const;

export type ErrorCode = keyof typeof codes;
