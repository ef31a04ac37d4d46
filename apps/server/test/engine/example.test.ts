import { readFile } from 'node:fs/promises';
import { parseConfig } from '@cfg/source';
import { describe, expect, it } from 'vitest';
import { ModuleRegistry } from '../../src/engine/registry.js';
import { validateAppConfig } from '../../src/engine/validate.js';

describe('examples/config.yaml (what pnpm start runs)', () => {
  it('is valid and uses every module type, with a dependsOn', async () => {
    const file = new URL('../../examples/config.yaml', import.meta.url);
    const config = parseConfig(await readFile(file, 'utf8'), { filename: 'examples/config.yaml' });
    const registry = new ModuleRegistry();
    expect(validateAppConfig(config, registry).ok).toBe(true);
    const used = new Set(config.modules.map((m) => m.type));
    expect([...used].sort()).toEqual(
      registry
        .list()
        .map((t) => t.type)
        .sort(),
    );
    expect(config.modules.some((m) => (m.dependsOn ?? []).length > 0)).toBe(true);
  });
});
