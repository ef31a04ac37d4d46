import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { collectSecretDirs, collectSecretEnv, referenceOptions } from '../../src/secrets/options.js';

describe('secret flags', () => {
  it('references are on by default and allow nothing; --no-references turns them off', () => {
    expect(referenceOptions({ references: true })).toEqual({ env: [], fileDirs: [] });
    expect(referenceOptions({ references: false, secretDir: ['/run/secrets'] })).toBeUndefined();
  });

  it('--secret-dir is repeatable and comma-separated, made absolute, never the root', () => {
    expect(collectSecretDirs('/run/secrets, /etc/app', ['/run/secrets'])).toEqual([
      '/run/secrets',
      '/etc/app',
    ]);
    expect(collectSecretDirs('rel')[0]).toBe(`${process.cwd()}/rel`);
    expect(() => collectSecretDirs('/')).toThrow(InvalidArgumentError);
    expect(() => collectSecretDirs('/tmp/..')).toThrow(/every file of the server/);
  });

  it("--secret-env takes names, prefixes and *, but never the server's own CFG_ variables", () => {
    const names = collectSecretEnv('DB_PASSWORD,APP_*,*');
    const { env } = referenceOptions({ references: true, secretEnv: names })!;
    const [exact, prefix, all] = env as [string, RegExp, RegExp];
    expect(exact).toBe('DB_PASSWORD');
    expect(prefix.test('APP_TOKEN')).toBe(true);
    expect(prefix.test('XAPP_TOKEN')).toBe(false);
    expect(all.test('HOME')).toBe(true);
    expect(all.test('CFG_ADMIN_TOKEN')).toBe(false);
    expect(() => collectSecretEnv('CFG_ADMIN_TOKEN')).toThrow(/CFG_/);
    expect(() => collectSecretEnv('cfg_*')).toThrow(/CFG_/);
    expect(() => collectSecretEnv('BAD-NAME')).toThrow(InvalidArgumentError);
  });
});
