import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { toHttpError } from '../../src/http/error-handler.js';
import { codes } from '../../src/http/errors.js';
import { buildTestApp } from '../helpers/app.js';

const ctx = { bodyLimit: 1024 };
const withCode = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('toHttpError: everything thrown becomes an entry of the error table', () => {
  it.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'CFG_ERR_BODY_TOO_LARGE'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'CFG_ERR_UNSUPPORTED_MEDIA_TYPE'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'CFG_ERR_INVALID_JSON'],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'CFG_ERR_INVALID_JSON'],
    ['CFG_PG_VERSION_CONFLICT', 412, 'CFG_ERR_VERSION_CONFLICT'],
    ['CFG_PG_NOT_FOUND', 404, 'CFG_ERR_VERSION_NOT_FOUND'],
    ['CFG_PARSE', 422, 'CFG_ERR_INVALID_CONFIG'],
    ['CFG_NOT_FOUND', 503, 'CFG_ERR_SOURCE_UNAVAILABLE'],
    ['ECONNREFUSED', 503, 'CFG_ERR_SOURCE_UNAVAILABLE'],
    ['08006', 503, 'CFG_ERR_SOURCE_UNAVAILABLE'],
    ['57P01', 503, 'CFG_ERR_SOURCE_UNAVAILABLE'],
    ['57P03', 503, 'CFG_ERR_SOURCE_UNAVAILABLE'], // "the database system is shutting down" (found by the fault suite)
    ['53300', 503, 'CFG_ERR_SOURCE_UNAVAILABLE'],
  ])('%s → %i %s', (code, status, mapped) => {
    const error = toHttpError(withCode(code), ctx);
    expect(error.statusCode).toBe(status);
    expect(error.code).toBe(mapped);
  });

  it('keeps HttpErrors, maps schema failures to 400, and hides unexpected errors behind a generic 500', () => {
    const own = codes.CFG_ERR_FORBIDDEN('x');
    expect(toHttpError(own, ctx)).toBe(own);
    expect(
      toHttpError(Object.assign(new Error('body must be object'), { validation: [] }), ctx).toReply(),
    ).toMatchObject({
      statusCode: 400,
      code: 'CFG_ERR_BAD_REQUEST',
      message: 'body must be object',
    });
    const bug = toHttpError(new TypeError('secret internals'), ctx);
    expect(bug.toReply()).toMatchObject({ statusCode: 500, code: 'CFG_ERR_INTERNAL' });
    expect(bug.message).not.toContain('secret');
  });
});

/** Sends raw bytes to a listening test app; resolves with everything it answered before closing. */
async function rawExchange(bytes: string): Promise<string> {
  const { app } = await buildTestApp();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer)).on('error', reject);
  });
}

describe('clientErrorHandler: HTTP that cannot be parsed still gets the error table', () => {
  it.each([
    {
      what: 'bytes that are no HTTP',
      bytes: 'NOT HTTP AT ALL\r\n\r\n',
      status: 400,
      code: 'CFG_ERR_BAD_REQUEST',
    },
    {
      what: 'a body after a GET without a length',
      bytes: 'GET /hello HTTP/1.1\r\nHost: x\r\n\r\n\u0000\u0001',
      status: 400,
      code: 'CFG_ERR_BAD_REQUEST',
    },
    {
      what: 'headers over the limit',
      bytes: `GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      status: 431,
      code: 'CFG_ERR_HEADERS_TOO_LARGE',
    },
  ])('$what → $status $code, as JSON, and the connection closes', async ({ bytes, status, code }) => {
    const answer = await rawExchange(bytes);
    const last = answer.slice(answer.lastIndexOf('HTTP/1.1 '));
    expect(last.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    expect(last).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(last.slice(last.indexOf('\r\n\r\n') + 4))).toMatchObject({ statusCode: status, code });
  });
});

describe("fastify's framework errors go through the error table", () => {
  it('a URL that does not decode → 400 CFG_ERR_BAD_REQUEST', async () => {
    const { app, reader } = await buildTestApp();
    const res = await app.inject({ url: '/api/v1/modules/%80', headers: reader });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, code: 'CFG_ERR_BAD_REQUEST' });
  });

  it('a module name as long as the name rule allows reaches the route; a longer one is a table error', async () => {
    const { app, reader } = await buildTestApp();
    const longest = await app.inject({ url: `/api/v1/modules/${'m'.repeat(200)}`, headers: reader });
    expect(longest.json()).toMatchObject({ statusCode: 404, code: 'CFG_ERR_MODULE_NOT_FOUND' });
    const over = await app.inject({ url: `/api/v1/modules/${'m'.repeat(201)}`, headers: reader });
    expect(over.statusCode).toBeGreaterThanOrEqual(400);
    expect(over.statusCode).toBeLessThan(500);
    expect(over.json()).toMatchObject({
      statusCode: over.statusCode,
      code: expect.stringMatching(/^CFG_ERR_/),
    });
  });
});
