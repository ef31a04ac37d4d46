import { chmod, cp, lstat, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { packagedBinaries, runningCluster, startCluster } from '../src/embedded/index.js';
import { freePort } from '../src/testing/index.js';

/** A logger that keeps its lines. */
function recordingLogger() {
  const lines: string[] = [];
  const keep = (_fields: unknown, msg?: string) => void lines.push(msg ?? '');
  return { lines, logger: { debug: keep, info: keep, warn: keep, error: keep } };
}

async function selectOne(url: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('select 1 as one')).rows;
  } finally {
    await client.end();
  }
}

describe('@cfg/pg-store/embedded', () => {
  it('initialises, starts detached on 127.0.0.1, stops (postmaster.pid gone), and starts again on the same data', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cfg-embedded-'));
    await chmod(dir, 0o755); // as root the `postgres` user keeps the cluster in it
    try {
      const dataDir = join(dir, 'pg');
      const first = await startCluster({ dataDir, port: await freePort() });
      expect(await selectOne(first.url)).toEqual([{ one: 1 }]);
      expect(await runningCluster(dataDir)).toMatchObject({ pid: first.pid });
      if (process.platform === 'linux') {
        // Its own session (pg_ctl): a signal to the caller's process group does not reach it.
        const stat = (await readFile(`/proc/${first.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
        expect(Number(stat[3])).toBe(first.pid);
      }
      await first.stop();
      expect(await runningCluster(dataDir)).toBeUndefined();
      const again = await startCluster({ dataDir, port: await freePort() });
      expect(await selectOne(again.url)).toEqual([{ one: 1 }]);
      await again.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/**
 * As root PostgreSQL runs as the `postgres` OS user. A checkout under a directory that user cannot
 * enter (`/root`, mode 0700: the usual container) made `initdb` fail with EACCES. Simulated here
 * with a 0700 directory holding both the binaries and the data dir; only meaningful as root.
 */
describe.skipIf(process.getuid?.() !== 0)('as root, under a directory the postgres user cannot enter', () => {
  it('runs a copy of the binaries and keeps a new cluster where that user can reach them, says so, and leaves the directory alone', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'cfg-embedded-root-'));
    try {
      const home = join(scratch, 'root'); // like /root
      await mkdir(home, { mode: 0o700 });
      const packaged = packagedBinaries();
      const binaries = join(home, 'node_modules-native');
      await cp(packaged.dir, binaries, { recursive: true, verbatimSymlinks: true });
      const runtimeDir = join(scratch, 'var-lib');
      await chmod(scratch, 0o755);
      const dataDir = join(home, 'checkout/.data/pg');
      const log = recordingLogger();
      const opts = { dataDir, runtimeDir, binaries: { dir: binaries, version: packaged.version } };

      const first = await startCluster({ ...opts, port: await freePort(), logger: log.logger });
      expect(log.lines).toContainEqual(
        expect.stringMatching(
          /cannot reach the PostgreSQL binaries in .*node_modules-native; running the copy in .*var-lib\/postgresql-/,
        ),
      );
      expect(log.lines).toContainEqual(
        expect.stringMatching(new RegExp(`cannot enter ${home}; the cluster lives in .*var-lib/data/`)),
      );
      expect((await lstat(dataDir)).isSymbolicLink()).toBe(true);
      expect(first.cluster.startsWith(runtimeDir)).toBe(true);
      expect(await selectOne(first.url)).toEqual([{ one: 1 }]);
      await first.stop();
      expect(await runningCluster(dataDir)).toBeUndefined();

      // The next start reuses the copy and the cluster (no new one), and the user's directory kept its mode.
      const quiet = recordingLogger();
      const second = await startCluster({ ...opts, port: await freePort(), logger: quiet.logger });
      expect(quiet.lines.filter((l) => /creating|lives in/.test(l))).toEqual([]);
      expect(await selectOne(second.url)).toEqual([{ one: 1 }]);
      await second.stop();
      expect((await stat(home)).mode & 0o777).toBe(0o700);

      // A cluster that already lies where the postgres user cannot reach is not moved: a clear error.
      const stuck = join(home, 'other/.data/pg');
      await mkdir(stuck, { recursive: true });
      await writeFile(join(stuck, 'PG_VERSION'), '17\n');
      await expect(startCluster({ ...opts, dataDir: stuck, port: await freePort() })).rejects.toThrow(
        new RegExp(
          `cannot enter ${home}, and ${stuck} already holds a cluster, which cannot be moved for you`,
        ),
      );
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, 120_000);
});
