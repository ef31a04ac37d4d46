import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codes, HttpError } from '../../src/http/errors.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the error table', () => {
  it.each(Object.entries(codes))(
    '%s: the key is its code, 4xx/5xx, documented in the README',
    (key, factory) => {
      expect(factory.code).toBe(key);
      expect(factory.statusCode).toBeGreaterThanOrEqual(400);
      expect(readme).toContain(`\`${key}\``);
      const error = factory('x', 'y');
      expect(error).toBeInstanceOf(HttpError);
      expect(error.toReply()).toMatchObject({
        statusCode: factory.statusCode,
        code: key,
        error: expect.any(String),
      });
    },
  );

  it('fills the message template and keeps details apart', () => {
    const error = codes.CFG_ERR_VERSION_CONFLICT.with({ currentVersion: 3 }, 'at 3, not 2');
    expect(error.toReply()).toEqual({
      statusCode: 412,
      code: 'CFG_ERR_VERSION_CONFLICT',
      error: 'Precondition Failed',
      message: 'at 3, not 2',
      currentVersion: 3,
    });
  });
});
