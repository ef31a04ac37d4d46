import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenAuthenticator } from '../../src/auth/authenticator.js';
import { loadTokens } from '../../src/auth/tokens.js';
import { buildTestApp } from '../helpers/app.js';

describe('bearer tokens', () => {
  it('401 without a token or with an unknown one, on every /api/v1 route and /metrics', async () => {
    const { app } = await buildTestApp();
    for (const url of [
      '/api/v1/config',
      '/api/v1/modules',
      '/api/v1/reloads',
      '/api/v1/status',
      '/metrics',
    ]) {
      const none = await app.inject({ method: 'GET', url });
      expect(none.statusCode, url).toBe(401);
      expect(none.json()).toMatchObject({ code: 'CFG_ERR_UNAUTHORIZED', error: 'Unauthorized' });
      const wrong = await app.inject({
        method: 'GET',
        url,
        headers: { authorization: 'Bearer not-a-known-token-at-all' },
      });
      expect(wrong.statusCode, url).toBe(401);
    }
    const basic = await app.inject({
      method: 'GET',
      url: '/api/v1/config',
      headers: { authorization: 'Basic abc' },
    });
    expect(basic.statusCode).toBe(401);
  });

  it('a read token reads but cannot write (403); an admin token writes', async () => {
    const { app, reader, admin } = await buildTestApp();
    expect((await app.inject({ method: 'GET', url: '/api/v1/config', headers: reader })).statusCode).toBe(
      200,
    );
    const put = { method: 'PUT' as const, url: '/api/v1/modules/greeter/config', payload: { message: 'x' } };
    const forbidden = await app.inject({ ...put, headers: reader });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({
      code: 'CFG_ERR_FORBIDDEN',
      message: expect.stringContaining('viewer'),
    });
    expect((await app.inject({ ...put, headers: admin })).statusCode).toBe(200);
  });

  it('the token check happens before the body is read: no token + huge body is 401, not 413', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/modules/greeter/config',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ message: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.statusCode).toBe(401);
  });

  it('TokenAuthenticator matches exactly, with any amount of spacing after Bearer', () => {
    const auth = new TokenAuthenticator([{ name: 'a', role: 'admin', token: 'secret-secret-secret' }]);
    expect(auth.authenticate('Bearer secret-secret-secret')).toEqual({ name: 'a', role: 'admin' });
    expect(auth.authenticate('bearer   secret-secret-secret')).toEqual({ name: 'a', role: 'admin' });
    expect(auth.authenticate('Bearer secret-secret-secre')).toBeNull();
    expect(auth.authenticate('Bearer secret-secret-secrets')).toBeNull();
    expect(auth.authenticate(undefined)).toBeNull();
  });
});

describe('loadTokens', () => {
  it('takes the environment tokens, named admin and reader', async () => {
    const loaded = await loadTokens({ adminToken: 'a'.repeat(20), readToken: 'r'.repeat(20) });
    expect(loaded).toEqual({
      entries: [
        { name: 'admin', role: 'admin', token: 'a'.repeat(20) },
        { name: 'reader', role: 'read', token: 'r'.repeat(20) },
      ],
    });
  });

  it('generates a random admin token when none is configured', async () => {
    const one = await loadTokens({});
    const two = await loadTokens({});
    expect(one.generated).toMatch(/^cfg_[A-Za-z0-9_-]{32}$/);
    expect(one.generated).not.toBe(two.generated);
    expect(one.entries).toEqual([{ name: 'admin', role: 'admin', token: one.generated }]);
  });

  it('refuses short tokens and malformed token files, naming the problem', async () => {
    await expect(loadTokens({ adminToken: 'short' })).rejects.toThrow(/CFG_ADMIN_TOKEN is shorter than 16/);
    const dir = await mkdtemp(join(tmpdir(), 'cfg-tokens-'));
    try {
      const file = join(dir, 'tokens.yaml');
      await writeFile(
        file,
        'tokens:\n  - { name: ci, role: read, token: 0123456789abcdef }\n  - { name: ops, role: root, token: 0123456789abcdef }\n',
      );
      await expect(loadTokens({ tokensFile: file })).rejects.toThrow(/tokens\.1\.role/);
      await writeFile(file, 'tokens:\n  - { name: ci, role: read, token: 0123456789abcdef }\n');
      expect((await loadTokens({ tokensFile: file })).entries).toEqual([
        { name: 'ci', role: 'read', token: '0123456789abcdef' },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a token with whitespace (it could never authenticate) and the same token twice', async () => {
    const spaced = 'abcdefgh ijklmnopq';
    await expect(loadTokens({ adminToken: spaced })).rejects.toThrow(
      /CFG_ADMIN_TOKEN must be printable ASCII without spaces/,
    );
    // The proof that it could not work: the header cuts the token at the space.
    const auth = new TokenAuthenticator([{ name: 'admin', role: 'admin', token: spaced }]);
    expect(auth.authenticate(`Bearer ${spaced}`)).toBeNull();
    await expect(loadTokens({ readToken: 'tab\tinside-the-token' })).rejects.toThrow(
      /CFG_READ_TOKEN must be/,
    );
    await expect(loadTokens({ readToken: 'nön-ascii-token-0123' })).rejects.toThrow(/CFG_READ_TOKEN must be/);

    const same = '0123456789abcdef0123';
    await expect(loadTokens({ adminToken: same, readToken: same })).rejects.toThrow(
      /the same token is configured for "admin" and "reader"/,
    );
    const dir = await mkdtemp(join(tmpdir(), 'cfg-tokens-'));
    try {
      const file = join(dir, 'tokens.yaml');
      await writeFile(file, `tokens:\n  - { name: ci, role: read, token: "has a space 0123" }\n`);
      await expect(loadTokens({ tokensFile: file })).rejects.toThrow(
        /tokens\.0\.token: tokens are printable ASCII/,
      );
      await writeFile(
        file,
        `tokens:\n  - { name: ci, role: read, token: ${same} }\n  - { name: ops, role: admin, token: ${same} }\n`,
      );
      await expect(loadTokens({ tokensFile: file })).rejects.toThrow(/"ci" and "ops"/);
      await expect(loadTokens({ adminToken: same, tokensFile: file })).rejects.toThrow(/"admin" and "ci"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
