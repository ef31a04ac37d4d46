/**
 * Errors that mean "the database cannot serve this right now" — unreachable, timed out, not
 * migrated, forbidden — as opposed to a bug or bad input. They answer 503 (nothing was written),
 * and at start-up they send a replica to its local snapshot.
 */

/** Socket errors of a connection that failed or broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** `@cfg/pg-store` codes: a call that timed out, a schema without tables. */
const STORE_CODES = new Set(['CFG_PG_TIMEOUT', 'CFG_PG_NOT_MIGRATED']);

/** SQLSTATEs: too many connections, insufficient privilege. */
const SQLSTATES = new Set(['53300', '42501']);

/** `pg` reports a connection that ended under a query without a code, only a message. */
const PG_CONNECTION_MESSAGE =
  /^Connection terminated|is not queryable|timeout exceeded when trying to connect/;

/** Seconds a client is asked to wait before retrying: a timeout passes soon, an outage less so. */
export function retryAfterSeconds(error: unknown): number {
  return _codeOf(error) === 'CFG_PG_TIMEOUT' ? 1 : 5;
}

/** True when `error` (or an error it was caused by) says the database is unavailable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = _codeOf(e);
    if (typeof code === 'string') {
      if (NETWORK_CODES.has(code) || STORE_CODES.has(code) || SQLSTATES.has(code)) return true;
      // Connection exceptions (08…), and shutting down, crashed or starting up (57P01–57P03).
      if (code.startsWith('08') || code.startsWith('57P')) return true;
    } else if (PG_CONNECTION_MESSAGE.test(e.message)) {
      return true;
    }
  }
  return false;
}

function _codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null | undefined)?.code;
}
