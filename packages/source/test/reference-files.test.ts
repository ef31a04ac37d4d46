/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are reference syntax. */
import { execFileSync } from 'node:child_process';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AppConfig,
  ConfigReferenceError,
  checkReferences,
  type ReferenceOptions,
  resolveReferences,
} from '../src/index.js';
import { useTempDir } from './temp-dir.js';

const tempDir = useTempDir();

const configWith = (value: string): AppConfig => ({
  modules: [{ name: 'db', type: 'postgres', config: { password: value } }],
});

/** The password a config referencing `path` resolves to, or the problem code and message. */
async function read(
  path: string,
  opts: ReferenceOptions,
): Promise<string | { code: string; message: string }> {
  try {
    const { config } = await resolveReferences(configWith(`\${file:${path}}`), {
      ...opts,
      textHash: 'h',
      filename: 'config.yaml',
    });
    return config.modules[0]!.config!.password as string;
  } catch (error) {
    if (!(error instanceof ConfigReferenceError)) throw error;
    const [problem] = error.problems;
    return { code: problem!.code, message: problem!.message };
  }
}

/** `root/secrets` (allowed) with `db` in it, and `root/outside/db` (not allowed). */
async function layout() {
  const root = await tempDir();
  const secrets = join(root, 'secrets');
  const outside = join(root, 'outside');
  await mkdir(secrets);
  await mkdir(outside);
  await writeFile(join(secrets, 'db'), 'inside\n');
  await writeFile(join(outside, 'db'), 'outside');
  return { root, secrets, outside, opts: { fileDirs: [secrets] } };
}

describe('${file:…} references', () => {
  it('read a file under an allowed directory (subdirectories too), dropping one final line break', async () => {
    const { secrets, opts } = await layout();
    expect(await read(join(secrets, 'db'), opts)).toBe('inside');
    await mkdir(join(secrets, 'sub'));
    await writeFile(join(secrets, 'sub', 'key.pem'), '-----BEGIN-----\r\nabc\r\n\r\n');
    expect(await read(join(secrets, 'sub', 'key.pem'), opts)).toBe('-----BEGIN-----\r\nabc\r\n');
  });

  it('are all refused when no directory is allowed, naming the option', async () => {
    const { secrets } = await layout();
    expect(await read(join(secrets, 'db'), {})).toEqual({
      code: 'CFG_REF_FILE_NOT_ALLOWED',
      message:
        'file references are off: no directory is allowed (set references.fileDirs, e.g. ["/run/secrets"])',
    });
  });

  it('refuse a path outside, the same way whether it exists or not (no probing of the file system)', async () => {
    const { secrets, outside, opts } = await layout();
    const refusal = (path: string) => ({
      code: 'CFG_REF_FILE_NOT_ALLOWED',
      message: `${path} is outside the allowed directories; allowed: ${secrets} (references.fileDirs)`,
    });
    expect(await read(join(outside, 'db'), opts)).toEqual(refusal(join(outside, 'db')));
    expect(await read(join(outside, 'nothing'), opts)).toEqual(refusal(join(outside, 'nothing')));
    expect(await read('/etc/shadow', opts)).toEqual(refusal('/etc/shadow'));
    // A sibling whose name starts with the allowed one is not inside it.
    await mkdir(`${secrets}-evil`);
    await writeFile(join(`${secrets}-evil`, 'db'), 'evil');
    expect(await read(join(`${secrets}-evil`, 'db'), opts)).toEqual(refusal(join(`${secrets}-evil`, 'db')));
  });

  it('refuse `..` out of an allowed directory', async () => {
    const { secrets, opts } = await layout();
    const path = `${secrets}/../outside/db`;
    expect(await read(path, opts)).toMatchObject({
      code: 'CFG_REF_FILE_NOT_ALLOWED',
      message: expect.stringContaining('is outside'),
    });
    expect(await read(`${secrets}/sub/../db`, opts)).toBe('inside');
  });

  it('refuse a symlink inside that points outside, and a symlinked directory that leads out', async () => {
    const { secrets, outside, opts } = await layout();
    await symlink(join(outside, 'db'), join(secrets, 'link'));
    await symlink(outside, join(secrets, 'dir'));
    for (const path of [join(secrets, 'link'), join(secrets, 'dir', 'db')]) {
      expect(await read(path, opts)).toEqual({
        code: 'CFG_REF_FILE_NOT_ALLOWED',
        message: `${path} leads outside the allowed directories through a symlink; allowed: ${secrets} (references.fileDirs)`,
      });
    }
  });

  it('follow symlinks that stay inside: a Kubernetes Secret volume, before and after its ..data swap', async () => {
    const { secrets, opts } = await layout();
    await mkdir(join(secrets, '..2026_01_01'));
    await writeFile(join(secrets, '..2026_01_01', 'password'), 'one');
    await symlink('..2026_01_01', join(secrets, '..data'));
    await symlink(join('..data', 'password'), join(secrets, 'password'));
    expect(await read(join(secrets, 'password'), opts)).toBe('one');

    await mkdir(join(secrets, '..2026_01_02'));
    await writeFile(join(secrets, '..2026_01_02', 'password'), 'two');
    await symlink('..2026_01_02', join(secrets, '..data_tmp'));
    await rename(join(secrets, '..data_tmp'), join(secrets, '..data'));
    await rm(join(secrets, '..2026_01_01'), { recursive: true });
    expect(await read(join(secrets, 'password'), opts)).toBe('two');
  });

  it('accept an allowed directory given through a symlink, and paths written either way', async () => {
    const { root, secrets } = await layout();
    await symlink(secrets, join(root, 'run'));
    const opts = { fileDirs: [join(root, 'run')] };
    expect(await read(join(root, 'run', 'db'), opts)).toBe('inside');
    expect(await read(join(secrets, 'db'), opts)).toBe('inside');
  });

  it('report a missing file, a directory, a FIFO (without blocking), a large file and non-UTF-8 bytes', async () => {
    const { secrets, opts } = await layout();
    await mkdir(join(secrets, 'folder'));
    execFileSync('mkfifo', [join(secrets, 'fifo')]);
    await writeFile(join(secrets, 'big'), 'x'.repeat(101));
    await writeFile(join(secrets, 'exact'), 'x'.repeat(100));
    await writeFile(join(secrets, 'latin1'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    const limited = { ...opts, maxFileBytes: 100 };
    expect(await read(join(secrets, 'missing'), limited)).toEqual({
      code: 'CFG_REF_FILE_MISSING',
      message: `${join(secrets, 'missing')} does not exist`,
    });
    expect(await read(join(secrets, 'folder'), limited)).toMatchObject({
      code: 'CFG_REF_FILE_UNREADABLE',
      message: expect.stringContaining('not a regular file'),
    });
    expect(await read(join(secrets, 'fifo'), limited)).toMatchObject({ code: 'CFG_REF_FILE_UNREADABLE' });
    expect(await read(join(secrets, 'big'), limited)).toEqual({
      code: 'CFG_REF_FILE_TOO_LARGE',
      message: `${join(secrets, 'big')} is over the limit of 100 bytes (references.maxFileBytes)`,
    });
    expect(await read(join(secrets, 'exact'), limited)).toBe('x'.repeat(100));
    expect(await read(join(secrets, 'latin1'), limited)).toEqual({
      code: 'CFG_REF_FILE_NOT_TEXT',
      message: `${join(secrets, 'latin1')} is not UTF-8 text`,
    });
  });

  it('read a file referenced twice once, so both places hold the same value', async () => {
    const { secrets, opts } = await layout();
    const path = join(secrets, 'db');
    const { config, references } = await resolveReferences(
      { modules: [{ name: 'a', type: 't', config: { one: `\${file:${path}}`, two: `x\${file:${path}}` } }] },
      { ...opts, textHash: 'h', filename: 'c' },
    );
    expect(config.modules[0]!.config).toEqual({ one: 'inside', two: 'xinside' });
    expect(references).toEqual([{ kind: 'file', path }]);
  });

  it('checkReferences applies the same rules but never reads the content', async () => {
    const { secrets, outside, opts } = await layout();
    await writeFile(join(secrets, 'latin1'), Buffer.from([0xe9]));
    await symlink(join(outside, 'db'), join(secrets, 'link'));
    const config: AppConfig = {
      modules: [
        {
          name: 'a',
          type: 't',
          config: {
            ok: `\${file:${join(secrets, 'db')}}`,
            // Not UTF-8: only a read would tell, and a check does not read.
            binary: `\${file:${join(secrets, 'latin1')}}`,
            out: `\${file:${join(outside, 'db')}}`,
            link: `\${file:${join(secrets, 'link')}}`,
            missing: `\${file:${join(secrets, 'missing')}}`,
          },
        },
      ],
    };
    const problems = await checkReferences(config, { ...opts, filename: 'c' });
    expect(problems.map((p) => [p.pointer, p.code])).toEqual([
      ['/modules/0/config/out', 'CFG_REF_FILE_NOT_ALLOWED'],
      ['/modules/0/config/link', 'CFG_REF_FILE_NOT_ALLOWED'],
      ['/modules/0/config/missing', 'CFG_REF_FILE_MISSING'],
    ]);
  });
});
