import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConfigSource, SnapshotFile } from '@cfg/source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseInitial } from '../../src/serve/startup.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cfg-startup-secrets-'));
  await mkdir(join(dir, 'secrets'));
  await writeFile(join(dir, 'secrets', 'token'), 'from-the-secret-file\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('start-up from the local snapshot, with references', () => {
  it('the saved text keeps the reference; the snapshot it starts on has the value, resolved by the server rules', async () => {
    const snapshots = new SnapshotFile(join(dir, 'cfg.default.json'));
    const text = `modules:\n  - name: greeter\n    type: greeter\n    config:\n      message: \${file:${join(dir, 'secrets', 'token')}}\n`;
    await snapshots.save({ key: 'default', version: 3, data: text });
    const plan = {
      key: 'default',
      // The store is down: the walk over stored versions never starts.
      candidates: async function* () {},
      documentName: 'database:default',
      fromSnapshot: (document: ConfigSource) => document,
      snapshots,
      storeError: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    };
    const { initial, startup } = await chooseInitial({
      ...plan,
      references: { fileDirs: [join(dir, 'secrets')], env: [] },
    });
    expect(startup?.from).toBe('snapshot');
    expect(initial.config.modules[0]!.config).toEqual({ message: 'from-the-secret-file' });
    expect(initial.secretPaths).toEqual(['/modules/0/config/message']);
    // Outside the allowed directories it is not usable, as a stored version would not be.
    await expect(chooseInitial({ ...plan, references: { fileDirs: [], env: [] } })).rejects.toThrow(
      /local snapshot .* is not usable either: .*CFG_REF|file references are off/,
    );
  });
});
