import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningServer } from '../../src/db/embedded.js';
import { FIXTURE_FILE } from '../helpers/configs.js';
import {
  ADMIN_TOKEN,
  assertBuilt,
  freePort,
  type LogEntry,
  ServerProcess,
} from '../helpers/server-process.js';

/**
 * `pnpm start` (file + overlay on the embedded PostgreSQL) as real child processes, and the ways a
 * terminal goes away: SIGHUP, SIGHUP with its output closed, SIGKILL (an orphaned database), and a
 * replica whose database's owner stopped. Each run ends with no PostgreSQL left running.
 */

let dir: string;
let dataDir: string;
let args: string[];

beforeAll(async () => {
  await assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'cfg-fault-signals-'));
  await chmod(dir, 0o755); // as root, PostgreSQL runs as the `postgres` user, who must reach .data/pg
  dataDir = join(dir, '.data/pg');
  await writeFile(join(dir, 'config.yaml'), await readFile(FIXTURE_FILE, 'utf8'));
  args = [
    ...['--config', 'config.yaml', '--store', 'embedded', '--overlay-key', 'overlay'],
    ...['--embedded-port', String(await freePort())],
  ];
}, 60_000);

afterAll(async () => {
  // Whatever a failed test left: the postmaster would outlive the run.
  const left = await runningServer(dataDir);
  if (left) process.kill(left.pid, 'SIGQUIT');
  await rm(dir, { recursive: true, force: true });
});

const start = (extra: string[] = []) => ServerProcess.start([...args, ...extra], { cwd: dir });
const messages = (server: ServerProcess) => server.logs.map((e: LogEntry) => e.msg);

describe('signals and the embedded database (real processes)', () => {
  it('SIGHUP (the terminal closed) is a graceful shutdown: exit 0, the embedded PostgreSQL stopped', async () => {
    const server = await start();
    expect(await runningServer(dataDir)).toBeDefined();
    expect(await server.stop('SIGHUP')).toBe(0);
    expect(messages(server)).toContain('shutting down (SIGHUP)');
    expect(await runningServer(dataDir)).toBeUndefined();
  }, 60_000);

  it('SIGHUP after the terminal is gone (its output closed): still exit 0 and the database stopped', async () => {
    const server = await start();
    server.child.stdout!.destroy();
    server.child.stderr!.destroy();
    const code = await server.stop('SIGHUP');
    expect({ code, signal: server.child.signalCode }).toEqual({ code: 0, signal: null });
    expect(await runningServer(dataDir)).toBeUndefined();
  }, 60_000);

  it('an embedded PostgreSQL orphaned by SIGKILL is adopted by the next start, which says so and stops it', async () => {
    const first = await start();
    const orphan = (await runningServer(dataDir))!;
    expect(await first.stop('SIGKILL')).toBeNull();
    expect(await runningServer(dataDir)).toEqual(orphan); // still running, nobody owns it

    const second = await start();
    const adopted = await second.waitForLog((e) =>
      e.msg.startsWith('adopting the orphaned embedded PostgreSQL'),
    );
    expect(adopted).toMatchObject({ level: 40, pid: orphan.pid, previousOwner: first.child.pid });
    const put = await second.fetch('/api/v1/modules/greeter/config', {
      method: 'PUT',
      json: { message: 'after adoption' },
      token: ADMIN_TOKEN,
    });
    expect(put.status).toBe(200);
    expect(await second.stop('SIGTERM')).toBe(0);
    expect(await runningServer(dataDir)).toBeUndefined();
  }, 60_000);

  it('a replica whose database owner stopped logs the loss once and the return once', async () => {
    const owner = await start();
    const replica = await start(['--poll-interval-ms', '1000']);
    expect(messages(replica).some((m) => m.startsWith('joining the embedded PostgreSQL'))).toBe(true);
    const from = replica.logs.length;
    expect(await owner.stop('SIGTERM')).toBe(0);
    // Down for a while: several LISTEN retries and poll checks fail meanwhile.
    await replica.waitForLog((e) => e.msg.startsWith('poller error:'), 10_000, from);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const outage = replica.logs.slice(from).filter((e) => e.level >= 40);
    expect(outage.map((e) => e.msg)).toEqual([
      expect.stringMatching(/^poller error: .*still serving the last good config$/),
    ]);

    const backFrom = replica.logs.length;
    const next = await start();
    await replica.waitForLog((e) => /is readable again/.test(e.msg), 10_000, backFrom);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // room for any line that would follow
    const back = replica.logs.slice(backFrom).filter((e) => e.level >= 30 && !e.reqId);
    expect(back.map((e) => e.msg)).toEqual([
      expect.stringMatching(/^poller: .* is readable again \(after \d+\.\d s\)$/),
    ]);
    expect(await replica.hello()).toBe('after adoption');

    expect(await replica.stop()).toBe(0);
    expect(await next.stop()).toBe(0);
    expect(await runningServer(dataDir)).toBeUndefined();
  }, 60_000);
});
