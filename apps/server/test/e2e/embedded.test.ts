import { chmod, cp, lstat, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningServer, startEmbeddedPostgres } from '../../src/db/embedded.js';
import { packagedBinaries } from '../../src/db/embedded-places.js';
import { captureLogs } from '../helpers/log-capture.js';
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

/**
 * As root PostgreSQL runs as the `postgres` OS user. A checkout under a directory that user cannot
 * enter (`/root`, mode 0700: the usual container) made `initdb` fail with EACCES. Simulated here
 * with a 0700 directory holding both the binaries and the checkout; only meaningful as root.
 */
describe.skipIf(process.getuid?.() !== 0)(
  'as root, with the checkout under a directory the postgres user cannot enter',
  () => {
    it('runs a copy of the binaries and keeps the cluster where that user can reach them, says so, and leaves the directory alone', async () => {
      const scratch = await mkdtemp(join(tmpdir(), 'cfg-e2e-root-'));
      try {
        const home = join(scratch, 'root'); // like /root
        await mkdir(home, { mode: 0o700 });
        const packaged = packagedBinaries();
        const binaries = join(home, 'node_modules-native');
        await cp(packaged.dir, binaries, { recursive: true, verbatimSymlinks: true });
        const runtimeDir = join(scratch, 'var-lib');
        await chmod(scratch, 0o755);
        const dataDir = join(home, 'checkout/.data/pg');
        const port = await freePort();
        const logs = captureLogs();
        const opts = {
          dataDir,
          port,
          logger: logs.logger,
          runtimeDir,
          binaries: { dir: binaries, version: packaged.version },
        };

        const first = await startEmbeddedPostgres(opts);
        expect(first.how).toBe('started');
        const said = logs.lines.map((l) => l.msg);
        expect(said).toContainEqual(
          expect.stringMatching(
            /cannot reach the PostgreSQL binaries in .*node_modules-native; running the copy in .*var-lib\/postgresql-/,
          ),
        );
        expect(said).toContainEqual(
          expect.stringMatching(new RegExp(`cannot enter ${home}; the cluster lives in .*var-lib/data/`)),
        );
        expect((await lstat(dataDir)).isSymbolicLink()).toBe(true);
        const client = new pg.Client({ connectionString: first.url });
        await client.connect();
        expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
        await client.end();
        await first.stop();
        expect(await runningServer(dataDir)).toBeUndefined();

        // The next start reuses both, and the user's directory kept its mode.
        const second = await startEmbeddedPostgres({ ...opts, logger: captureLogs().logger });
        expect(second.how).toBe('started');
        await second.stop();
        expect((await stat(home)).mode & 0o777).toBe(0o700);

        // A cluster that already lies where the postgres user cannot reach is not moved: a clear error.
        const stuck = join(home, 'other/.data/pg');
        await mkdir(stuck, { recursive: true });
        await writeFile(join(stuck, 'PG_VERSION'), '17\n');
        await expect(startEmbeddedPostgres({ ...opts, dataDir: stuck })).rejects.toThrow(
          new RegExp(
            `cannot enter ${home}, and ${stuck} already holds a cluster, which cannot be moved for you`,
          ),
        );
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    }, 120_000);
  },
);
