import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { codes, HttpError } from './errors.js';
import { isDatabaseUnavailable, retryAfterSeconds } from './unavailable.js';

/**
 * Turns anything thrown in a route into an entry of the error table. Bad input always maps to a
 * 4xx; only an unexpected failure is a 500, and its details go to the log, not to the client.
 */
export function toHttpError(error: unknown, ctx: { bodyLimit: number; contentType?: string }): HttpError {
  if (error instanceof HttpError) return error;
  const e = error as Partial<FastifyError> & { actual?: number };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return codes.CFG_ERR_BODY_TOO_LARGE(ctx.bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return codes.CFG_ERR_UNSUPPORTED_MEDIA_TYPE(
        ctx.contentType ? `"${ctx.contentType}"` : 'no content type',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return codes.CFG_ERR_INVALID_JSON('the body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return codes.CFG_ERR_INVALID_JSON(e.message ?? 'unexpected input');
    case 'CFG_PG_VERSION_CONFLICT':
      return codes.CFG_ERR_VERSION_CONFLICT.with({ currentVersion: e.actual }, e.message);
    case 'CFG_PG_NOT_FOUND':
      return codes.CFG_ERR_VERSION_NOT_FOUND(e.message);
    // A stored text or the base file that does not parse makes the write's result invalid.
    case 'CFG_PARSE':
      return codes.CFG_ERR_INVALID_CONFIG(`the resulting config does not parse: ${e.message}`);
    // The file cannot be read: nothing the client did, and nothing was written.
    case 'CFG_NOT_FOUND':
    case 'CFG_SOURCE':
      return _unavailable(error);
  }
  // The database is down, timed out, not migrated or forbids it: a 503 too, never a 500.
  if (isDatabaseUnavailable(error)) return _unavailable(error);
  if (e.validation) return codes.CFG_ERR_BAD_REQUEST(e.message);
  // The JSON parser's own errors (bad syntax, `__proto__` keys) are SyntaxErrors with a 400.
  if (e.statusCode === 400 && error instanceof SyntaxError) return codes.CFG_ERR_INVALID_JSON(e.message);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return codes.CFG_ERR_BAD_REQUEST(e.message ?? 'bad request');
  }
  return codes.CFG_ERR_INTERNAL();
}

function _unavailable(error: unknown): HttpError {
  const { message } = error as Error;
  return codes.CFG_ERR_SOURCE_UNAVAILABLE.with({ retryAfterSeconds: retryAfterSeconds(error) }, message);
}

export function errorHandler(bodyLimit: number) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    // The client left (or was cut off at the request timeout) before its body ended: its doing, not ours.
    if (_bodyAborted(error, request)) {
      request.log.debug({ err: (error as Error).message }, 'request body aborted by the client');
      return reply.code(400).send(codes.CFG_ERR_BAD_REQUEST('the request body ended early').toReply());
    }
    const httpError = toHttpError(error, { bodyLimit, contentType: request.headers['content-type'] });
    // A request turned away because the server is stopping is no failure of the server.
    if (httpError.statusCode >= 500 && httpError.code !== 'CFG_ERR_SHUTTING_DOWN')
      request.log.error({ err: error }, 'request failed');
    if (httpError.details.retryAfterSeconds !== undefined)
      reply.header('retry-after', String(httpError.details.retryAfterSeconds));
    // A module's HTTP Basic challenge (the realm is checked to need no escaping).
    if (typeof httpError.details.realm === 'string')
      reply.header('www-authenticate', `Basic realm="${httpError.details.realm}", charset="UTF-8"`);
    return reply.code(httpError.statusCode).type('application/json; charset=utf-8').send(httpError.toReply());
  };
}

/** Node's `aborted` error while the body was still arriving (anyone can cause one per request). */
function _bodyAborted(error: unknown, request: FastifyRequest): boolean {
  return (error as { code?: unknown }).code === 'ECONNRESET' && request.raw.readableAborted;
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  const error = codes.CFG_ERR_NOT_FOUND(request.method, request.url.split('?')[0]);
  return reply.code(404).send(error.toReply());
}

/**
 * fastify's `clientErrorHandler`: a request so malformed that HTTP parsing failed (bad framing, bytes
 * that are no HTTP, headers over the limit, too slow) never reaches a route, so the reply is written
 * on the socket here — as fastify's default does, but with the error table's body — and the
 * connection is closed.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const httpError =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? codes.CFG_ERR_HEADERS_TOO_LARGE()
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? codes.CFG_ERR_REQUEST_TIMEOUT()
        : codes.CFG_ERR_BAD_REQUEST(`malformed HTTP request (${error.code ?? 'parse error'})`);
  const body = JSON.stringify(httpError.toReply());
  const status = httpError.statusCode;
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
