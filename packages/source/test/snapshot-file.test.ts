import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashBytes, SnapshotFile, snapshotSource } from '../src/index.js';
import { recordingLogger } from './recording-logger.js';
import { useTempDir } from './temp-dir.js';

const tempDir = useTempDir();
const DOC = 'modules:\n  - name: greeter\n    type: greeter\n    config: { message: hi }\n';

async function savedFile(opts: { origin?: string } = {}) {
  const dir = await tempDir();
  const logger = recordingLogger();
  const file = new SnapshotFile(join(dir, 'nested', 'default.json'), { ...opts, logger });
  return { dir, file, logger };
}

/** Rewrites the saved file's JSON with `edit` applied (what a torn or hand-edited file looks like). */
async function tamper(file: SnapshotFile, edit: (json: Record<string, unknown>) => void): Promise<void> {
  const json = JSON.parse(await readFile(file.path, 'utf8')) as Record<string, unknown>;
  edit(json);
  await writeFile(file.path, JSON.stringify(json));
}

describe('SnapshotFile', () => {
  it('saves the text, key, version and hash, and reads them back (creating the directory)', async () => {
    const { file } = await savedFile({ origin: 'db-1' });
    const saved = await file.save({ key: 'default', version: 7, data: DOC });
    expect(saved).toMatchObject({
      key: 'default',
      version: 7,
      hash: hashBytes(DOC),
      data: DOC,
      origin: 'db-1',
    });
    const read = await file.read('default');
    expect(read).toEqual(saved);
    expect(read?.savedAt).toBeInstanceOf(Date);
  });

  it('replaces the file atomically: no temp file is left, and the last save wins', async () => {
    const { file } = await savedFile();
    await Promise.all(
      [1, 2, 3].map((version) => file.save({ key: 'default', version, data: `${DOC}# ${version}\n` })),
    );
    expect((await file.read('default'))?.version).toBe(3);
    expect(await readdir(join(file.path, '..'))).toEqual(['default.json']);
  });

  it('no file: undefined, and nothing logged', async () => {
    const { file, logger } = await savedFile();
    expect(await file.read('default')).toBeUndefined();
    expect(logger.warnings).toEqual([]);
  });

  it('ignores (and says so) a file whose text does not match its hash', async () => {
    const { file, logger } = await savedFile();
    await file.save({ key: 'default', version: 1, data: DOC });
    await tamper(file, (json) => {
      json.data = DOC.replace('hi', 'pwned');
    });
    expect(await file.read('default')).toBeUndefined();
    expect(logger.warnings).toEqual([
      `ignoring the local snapshot ${file.path}: its text does not match its hash`,
    ]);
  });

  it('ignores a file of another key or origin, a torn file, and one that is not a snapshot', async () => {
    const { file, logger } = await savedFile({ origin: 'db-1' });
    await file.save({ key: 'default', version: 1, data: DOC });
    expect(await file.read('other')).toBeUndefined();
    expect(await new SnapshotFile(file.path, { origin: 'db-2' }).read('default')).toBeUndefined();
    expect(await new SnapshotFile(file.path).read('default')).toBeDefined(); // origin not checked
    await writeFile(file.path, (await readFile(file.path, 'utf8')).slice(0, 40));
    expect(await file.read('default')).toBeUndefined();
    await writeFile(
      file.path,
      JSON.stringify({ format: 2, key: 'default', data: DOC, hash: hashBytes(DOC) }),
    );
    expect(await file.read('default')).toBeUndefined();
    expect(logger.warnings).toEqual([
      expect.stringMatching(/holds "default", not "other"$/),
      expect.stringMatching(/: it is not JSON$/),
      expect.stringMatching(/: it is not a snapshot file of this format$/),
    ]);
  });

  it('ignores a file larger than maxBytes', async () => {
    const { file } = await savedFile();
    await file.save({ key: 'default', data: DOC });
    const logger = recordingLogger();
    expect(await new SnapshotFile(file.path, { maxBytes: 100, logger }).read('default')).toBeUndefined();
    expect(logger.warnings).toEqual([expect.stringMatching(/bytes is more than 100$/)]);
  });

  it('a failed save rejects, leaves the previous snapshot and no temp file', async () => {
    const { dir, file } = await savedFile();
    await file.save({ key: 'default', version: 1, data: DOC });
    const blocked = new SnapshotFile(join(dir, 'nested', 'default.json', 'x.json'));
    await expect(blocked.save({ key: 'default', data: DOC })).rejects.toThrow();
    expect((await file.read('default'))?.version).toBe(1);
    expect(await readdir(join(dir, 'nested'))).toEqual(['default.json']);
  });
});

describe('snapshotSource', () => {
  it('serves the saved text under the name given, with its hash and version, parsed once', async () => {
    const { file } = await savedFile();
    const saved = await file.save({ key: 'default', version: 4, data: DOC });
    const source = snapshotSource(saved, { name: 'database:default' });
    const first = await source.load();
    expect(first).toMatchObject({ source: 'database:default', hash: hashBytes(DOC), version: 4 });
    expect(first.config.modules[0]?.config).toEqual({ message: 'hi' });
    expect((await source.load()).config).toBe(first.config);
    expect(await source.hash()).toBe(hashBytes(DOC));
    expect(source.version).toBe(4);
  });
});
