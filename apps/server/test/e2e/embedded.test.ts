import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningServer } from '../../src/db/embedded.js';
import { ADMIN_TOKEN, assertBuilt, freePort, ServerProcess } from '../helpers/server-process.js';

const FIXTURE = new URL('../fixtures/config.yaml', import.meta.url);

let dir: string;
let args: string[];

beforeAll(async () => {
  await assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'cfg-e2e-embedded-'));
  await chmod(dir, 0o755); // as root, PostgreSQL runs as the `postgres` user, who must reach .data/pg
  await writeFile(join(dir, 'config.yaml'), await readFile(FIXTURE, 'utf8'));
  const port = String(await freePort());
  args = [
    '--config',
    'config.yaml',
    '--watch',
    '--store',
    'embedded',
    '--overlay-key',
    'overlay',
    '--embedded-port',
    port,
  ];
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--store embedded (what pnpm start runs)', () => {
  it('creates ./.data/pg on the first run, stops it on SIGTERM, reuses it (and its history) on the next', async () => {
    const first = await ServerProcess.start(args, { cwd: dir });
    expect(first.logs.some((e) => /creating the embedded PostgreSQL cluster/.test(e.msg))).toBe(true);
    const put = await first.fetch('/api/v1/modules/greeter/config', {
      method: 'PUT',
      json: { message: 'kept' },
      token: ADMIN_TOKEN,
    });
    expect(await put.json()).toMatchObject({ persisted: true, version: 2 });

    // A second process on the same data dir joins the running server as a replica.
    const replica = await ServerProcess.start(args, { cwd: dir });
    expect(replica.logs.some((e) => /joining the embedded PostgreSQL/.test(e.msg))).toBe(true);
    expect(await replica.hello()).toBe('kept');
    expect(await replica.stop()).toBe(0);

    expect(await first.stop()).toBe(0);
    expect(await runningServer(join(dir, '.data/pg'))).toBeUndefined(); // PostgreSQL stopped with it

    const second = await ServerProcess.start(args, { cwd: dir });
    expect(second.logs.some((e) => /creating the embedded/.test(e.msg))).toBe(false);
    expect(await second.hello()).toBe('kept');
    const history = (await (await second.fetch('/api/v1/config/history', { token: ADMIN_TOKEN })).json()) as {
      history: { version: number }[];
    };
    expect(history.history.map((h) => h.version)).toEqual([2, 1]);
    expect(await second.stop()).toBe(0);
  });
});
