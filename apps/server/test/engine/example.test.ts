import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashBytes, parseConfig, resolveReferences } from '@cfg/source';
import { describe, expect, it } from 'vitest';
import { ModuleRegistry } from '../../src/engine/registry.js';
import { validateAppConfig } from '../../src/engine/validate.js';

const read = (name: string) => readFile(new URL(`../../examples/${name}`, import.meta.url), 'utf8');
/** The secret file examples/secrets.yaml names; the test points it at a directory of its own. */
const EXAMPLE_SECRET = '/tmp/cfg-secrets/admin-password';

describe('the examples', () => {
  it('config.yaml (what pnpm start runs) is valid, has a dependsOn, and with secrets.yaml uses every module type', async () => {
    const config = parseConfig(await read('config.yaml'), { filename: 'examples/config.yaml' });
    const secrets = parseConfig(await read('secrets.yaml'), { filename: 'examples/secrets.yaml' });
    const registry = new ModuleRegistry();
    expect(validateAppConfig(config, registry).ok).toBe(true);
    const used = new Set([...config.modules, ...secrets.modules].map((m) => m.type));
    expect([...used].sort()).toEqual(
      registry
        .list()
        .map((t) => t.type)
        .sort(),
    );
    expect(config.modules.some((m) => (m.dependsOn ?? []).length > 0)).toBe(true);
  });

  it('secrets.yaml is valid once its password file resolves, and holds no secret itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cfg-example-secrets-'));
    try {
      await mkdir(join(dir, 'secrets'));
      await writeFile(join(dir, 'secrets', 'admin-password'), 'from-the-file\n');
      const text = (await read('secrets.yaml')).replaceAll(
        EXAMPLE_SECRET,
        join(dir, 'secrets', 'admin-password'),
      );
      const parsed = parseConfig(text, { filename: 'secrets.yaml' });
      expect(parsed.modules.find((m) => m.type === 'basic-auth')?.config?.password).toMatch(/^\$\{file:\//);
      const resolved = await resolveReferences(parsed, {
        fileDirs: [join(dir, 'secrets')],
        env: [],
        textHash: hashBytes(text),
        filename: 'secrets.yaml',
      });
      expect(validateAppConfig(resolved.config, new ModuleRegistry()).ok).toBe(true);
      const auth = resolved.config.modules.find((m) => m.type === 'basic-auth');
      expect(auth?.config?.password).toBe('from-the-file');
      expect(resolved.secretPaths).toEqual(['/modules/2/config/password']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
