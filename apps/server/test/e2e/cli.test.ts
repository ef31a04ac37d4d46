import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, ServerProcess } from '../helpers/server-process.js';

const FIXTURE = new URL('../fixtures/config.yaml', import.meta.url);

let dir: string;
let good: string;
beforeAll(async () => {
  await assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'cfg-e2e-cli-'));
  good = join(dir, 'good.yaml');
  await writeFile(good, await readFile(FIXTURE, 'utf8'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function variant(name: string, edit: (text: string) => string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, edit(await readFile(good, 'utf8')));
  return file;
}

describe('cfg validate', () => {
  it('exit 0 for the example', async () => {
    expect(await runCli(['validate', good])).toMatchObject({ code: 0, stdout: `${good}: ok (5 modules)\n` });
  });

  it('exit 1 with file:line:col for a YAML error', async () => {
    const bad = await variant('syntax.yaml', (t) => t.replace('rps: 20', 'rps: [20'));
    const { code, stdout } = await runCli(['validate', bad]);
    expect(code).toBe(1);
    expect(stdout).toMatch(new RegExp(`^${bad}:\\d+:\\d+: `));
  });

  it('exit 1 with file:line:col pointing at the invalid value', async () => {
    const bad = await variant('invalid.yaml', (t) => t.replace('rps: 20', 'rps: -1'));
    const { code, stdout } = await runCli(['validate', bad]);
    const line = (await readFile(bad, 'utf8')).split('\n').findIndex((l) => /^\s+rps: -1$/.test(l)) + 1;
    expect(code).toBe(1);
    expect(stdout).toBe(
      `${bad}:${line}:12: modules.limiter.config.rps: rps is at least 1/86400 (one request a day), so Retry-After stays a whole number of seconds\n`,
    );
  });
});

describe('cfg diff', () => {
  it('prints module and path changes, exit 1 when they differ; --json is machine-readable', async () => {
    const changed = await variant('changed.yaml', (t) =>
      t.replace('rps: 20', 'rps: 30').replace('region: local', 'region: eu'),
    );
    const text = await runCli(['diff', good, changed]);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe('~ module limiter: replace /config/rps: 20 -> 30\n~ section platform\n');
    const json = await runCli(['diff', good, changed, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ isEmpty: false, sections: ['platform'] });
    expect(await runCli(['diff', good, good])).toMatchObject({ code: 0, stdout: 'no differences\n' });
  });
});

describe('cfg push / history / rollback', () => {
  let db: TestSchema;
  let flags: string[];
  beforeAll(async () => {
    db = await createTestSchema({ poolSize: 1 });
    flags = ['--database-url', db.url, '--db-schema', db.schema, '--key', 'app'];
  });
  afterAll(async () => {
    await db.drop();
  });

  it('push to a key that does not exist is refused without --create (a typo must not start a document)', async () => {
    const typo = await runCli(['push', good, ...flags]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toBe(
      'cfg: no document "app"; check --key, or pass --create to start a new document\n',
    );
    const history = await runCli(['history', ...flags]);
    expect(history).toMatchObject({ code: 1, stdout: '' });
    expect(history.stderr).toMatch(/^cfg: document "app" does not exist/); // nothing was written
  });

  it('push stores versions, history lists them, rollback writes an old one as the newest', async () => {
    expect(await runCli(['push', good, ...flags, '--create'])).toMatchObject({
      code: 0,
      stdout: `created "app" from ${good}: version 1\n`,
    });
    const typo = await runCli(['push', good, ...flags.slice(0, -1), 'ap']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/^cfg: no document "ap" \(there are: app\); check --key, or pass --create/);
    const changed = await variant('pushed.yaml', (t) => t.replace('rps: 20', 'rps: 30'));
    expect((await runCli(['push', changed, ...flags, '--message', 'faster'])).stdout).toMatch(/version 2/);
    const history = await runCli(['history', ...flags]);
    expect(history.stdout.split('\n')[0]).toMatch(/^v2\s+update\s+\S+\s+cli:\S+\s+faster$/);
    expect(await runCli(['rollback', '1', ...flags])).toMatchObject({
      code: 0,
      stdout: 'rolled "app" back to version 1: now version 3\n',
    });
    const json = JSON.parse((await runCli(['history', ...flags, '--json'])).stdout) as { op: string }[];
    expect(json.map((h) => h.op)).toEqual(['rollback', 'update', 'create']);
  });

  it('refuses to push a file that does not parse, and a stale --expect-version', async () => {
    const bad = await variant('bad-push.yaml', () => 'modules: [');
    expect((await runCli(['push', bad, ...flags])).code).toBe(1);
    const stale = await runCli(['push', good, ...flags, '--expect-version', '1']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/is at version 3, not the expected 1/);
  });

  it('refuses to push a file over --max-document-bytes, or one that is not UTF-8; nothing is stored', async () => {
    const before = (await runCli(['history', ...flags, '--json'])).stdout;
    const big = await runCli(['push', good, ...flags, '--max-document-bytes', '1000']);
    expect(big.code).toBe(1);
    expect(big.stdout).toMatch(
      new RegExp(`^${good}: the document is [\\d,]+ bytes, over the limit of 1,000 bytes`),
    );
    const latin1 = join(dir, 'latin1.yaml');
    await writeFile(
      latin1,
      Buffer.concat([Buffer.from('modules: []\nx: caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    const notUtf8 = await runCli(['push', latin1, ...flags]);
    expect(notUtf8).toMatchObject({
      code: 1,
      stdout: `${latin1}:2:7: invalid UTF-8 (byte 0xE9 at offset 18); save the file as UTF-8\n`,
    });
    expect((await runCli(['history', ...flags, '--json'])).stdout).toBe(before);
  });

  it('serve refuses a seed over --max-document-bytes and stores nothing', async () => {
    const seedFlags = ['--database-url', db.url, '--db-schema', db.schema, '--key', 'seeded', '--port', '0'];
    const res = await runCli(['serve', '--config', good, ...seedFlags, '--max-document-bytes', '1000']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      new RegExp(`^cfg: ${good}: the document is [\\d,]+ bytes, over the limit of 1,000 bytes`),
    );
    const history = await runCli([
      'history',
      '--database-url',
      db.url,
      '--db-schema',
      db.schema,
      '--key',
      'seeded',
    ]);
    expect(history).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/document "seeded" does not exist/),
    });
  });

  it('without a database it says how to get one (exit 2)', async () => {
    const res = await runCli(['history', '--key', 'app', '--data-dir', join(dir, 'nothing')], {
      CFG_DATABASE_URL: '',
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/no database: pass --database-url/);
  });
});

describe('the command line', () => {
  it('cfg --version prints the version', async () => {
    const manifest = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${manifest.version}\n`, stderr: '' });
  });

  it('a usage error is one line and a hint, exit 2, not the whole help', async () => {
    expect(await runCli(['serve', '--bogus'])).toEqual({
      code: 2,
      stdout: '',
      stderr: `cfg: unknown option '--bogus'\n(run "cfg serve --help")\n`,
    });
    const port = await runCli(['serve', '--config', good, '--port', '70000']);
    expect(port).toMatchObject({ code: 2, stdout: '' });
    expect(port.stderr).toBe(
      `cfg: option '--port <number>' argument '70000' is invalid. expected a port number from 0 to 65535\n(run "cfg serve --help")\n`,
    );
    const fromAction = await runCli(['serve', '--store', 'none']);
    expect(fromAction.stderr.split('\n')).toEqual([
      'cfg: without a database, --config <file> is required (or give --database-url / --store embedded)',
      '(run "cfg serve --help")',
      '',
    ]);
  });

  it('a missing file is named, with the directory it was looked for in (exit 1)', async () => {
    const res = await runCli(['validate', 'no-such.yaml'], {}, { cwd: dir });
    expect(res).toEqual({
      code: 1,
      stdout: '',
      stderr: `cfg: no-such.yaml: no such file (looked in ${dir})\n`,
    });
  });

  it('serve takes options after a `--`, as `pnpm start -- --port 8082` passes them', async () => {
    const server = await ServerProcess.start(['--', '--config', good]);
    expect(await server.hello()).toBeTypeOf('string');
    expect(await server.stop()).toBe(0);
  });
});

describe('cfg serve usage errors', () => {
  it('exit 2 with a hint for a missing --config, and for --watch without a file', async () => {
    const none = await runCli(['serve', '--store', 'none']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--config <file> is required/);
    const badStore = await runCli(['serve', '--store', 'mysql']);
    expect(badStore.code).toBe(2);
    const watchDb = await runCli(['serve', '--store', 'postgres://127.0.0.1:1/x', '--watch']);
    expect(watchDb.code).toBe(2);
    expect(watchDb.stderr).toMatch(/--watch watches a file/);
  });

  it('exit 1 naming both sizes when the config is over --max-document-bytes at start', async () => {
    const res = await runCli(['serve', '--config', good, '--port', '0', '--max-document-bytes', '1000']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      new RegExp(`^cfg: ${good}: the document is [\\d,]+ bytes, over the limit of 1,000 bytes`),
    );
  });

  it('exit 1 with file:line:col when the config does not parse at start', async () => {
    const bad = await variant(
      'bad-start.yaml',
      () => 'modules:\n  - name: a\n    type: greeter\n  - name: a\n    type: greeter\n',
    );
    const res = await runCli(['serve', '--config', bad, '--port', '0']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`^cfg: ${bad}:\\d+:\\d+: `));
  });
});
