import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_FILE, keptAdminToken } from '../../src/auth/token-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cfg-token-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('keptAdminToken', () => {
  it('generates the token once, mode 0600, and every later call gets the same one', async () => {
    const first = await keptAdminToken(dir);
    expect(first).toMatchObject({ file: join(dir, ADMIN_TOKEN_FILE), created: true });
    expect(first.token).toMatch(/^cfg_[\w-]{32}$/);
    expect((await stat(first.file)).mode & 0o777).toBe(0o600);
    expect(await readFile(first.file, 'utf8')).toBe(`${first.token}\n`);
    expect(await keptAdminToken(dir)).toEqual({ ...first, created: false });
  });

  it('racing first starts (replicas) all end up with one token', async () => {
    const all = await Promise.all(Array.from({ length: 8 }, () => keptAdminToken(dir)));
    expect(new Set(all.map((k) => k.token)).size).toBe(1);
    expect(all.filter((k) => k.created)).toHaveLength(1);
  });

  it('refuses a file others may read, and one without a usable token', async () => {
    const file = join(dir, ADMIN_TOKEN_FILE);
    await writeFile(file, 'cfg_a-token-someone-wrote-by-hand\n', { mode: 0o644 });
    await chmod(file, 0o644);
    await expect(keptAdminToken(dir)).rejects.toThrow(/others may read it \(mode 644\): chmod 600 it/);
    await chmod(file, 0o600);
    expect((await keptAdminToken(dir)).token).toBe('cfg_a-token-someone-wrote-by-hand');
    await writeFile(file, 'short\n');
    await expect(keptAdminToken(dir)).rejects.toThrow(/does not hold one token of at least 16 characters/);
  });
});
