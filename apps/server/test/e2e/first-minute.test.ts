import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, freePort, runCli, ServerProcess, until } from '../helpers/server-process.js';

const FIXTURE = new URL('../fixtures/config.yaml', import.meta.url);
/** No token in the environment: the server has to come up with one (ServerProcess sets both by default). */
const NO_TOKENS = { CFG_ADMIN_TOKEN: '', CFG_READ_TOKEN: '' };

let dir: string;
let args: string[];

beforeAll(async () => {
  await assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'cfg-e2e-first-minute-'));
  await chmod(dir, 0o755); // as root, PostgreSQL runs as the `postgres` user, who must reach .data/pg
  await writeFile(join(dir, 'config.yaml'), await readFile(FIXTURE, 'utf8'));
  const port = String(await freePort());
  args = ['--config', 'config.yaml', '--watch', '--store', 'embedded', '--overlay-key', 'overlay'];
  args.push('--embedded-port', port);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts a server without configured tokens and returns it once it said where its token is. */
async function start(): Promise<ServerProcess> {
  const server = await ServerProcess.start(args, { cwd: dir, env: NO_TOKENS });
  await until(async () => server.stderr.includes('export TOKEN='), true);
  return server;
}

async function putGreeting(server: ServerProcess, token: string, message: string): Promise<number> {
  const res = await server.fetch('/api/v1/modules/greeter/config', {
    method: 'PUT',
    json: { message },
    token,
  });
  return res.status;
}

describe('the first minute with pnpm start (embedded mode, no token configured)', () => {
  it('keeps one admin token in the data directory for every start and replica; the CLI finds the database from below the root', async () => {
    const first = await start();
    const tokenFile = join(dir, '.data/pg/admin-token');
    expect(first.stderr).toContain('kept in .data/pg/admin-token');
    expect(first.stderr).toContain('cfg:   export TOKEN=$(cat .data/pg/admin-token)');
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    const token = (await readFile(tokenFile, 'utf8')).trim();
    expect(first.stderr).not.toContain(token); // the secret stays in the file
    expect(await putGreeting(first, token, 'from the first')).toBe(200);

    // A replica on the same data directory accepts the same token.
    const replica = await start();
    expect(await putGreeting(replica, token, 'from the replica')).toBe(200);

    // The store commands find .data/pg from a directory below the one it is in.
    const below = join(dir, 'apps', 'server');
    await mkdir(below, { recursive: true });
    const history = await runCli(['history', '--key', 'overlay'], { CFG_DATABASE_URL: '' }, { cwd: below });
    expect(history.code).toBe(0);
    expect(history.stdout.split('\n')[0]).toMatch(/^v3\s+update\s+.*admin/);

    expect(await replica.stop()).toBe(0);
    expect(await first.stop()).toBe(0);

    // A restart keeps the token an operator exported.
    const restarted = await start();
    expect(await putGreeting(restarted, token, 'after a restart')).toBe(200);
    expect(await restarted.hello()).toBe('after a restart');
    expect(await restarted.stop()).toBe(0);
  });
});
