import { describe, expect, it } from 'vitest';
import { toHttpError } from '../../src/lib/error-handler.js';
import { codes } from '../../src/lib/errors.js';

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
