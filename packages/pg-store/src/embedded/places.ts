import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmod,
  chown,
  cp,
  lstat,
  mkdir,
  realpath,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from '@cfg/source';

/**
 * Where the embedded PostgreSQL's binaries and data live. As root PostgreSQL runs as the `postgres`
 * OS user, which must reach both; a checkout under a directory it cannot enter (`/root`, the usual
 * container case) failed with `spawn …/initdb EACCES`. Then this runs a copy of the binaries, and
 * keeps a new cluster, in `runtimeDir` (owned by root, open to `postgres`), and says so in the log;
 * the user's directories are never changed (the data dir becomes a link to the cluster).
 */

/** The default `runtimeDir`: a place the `postgres` user can reach, and that survives a reboot. */
export const DEFAULT_RUNTIME_DIR = '/var/lib/cfg-embedded-postgres';

export interface PostgresIds {
  uid: number;
  gid: number;
}

export interface Places {
  /** `bin/`, `lib/`, `share/` of the PostgreSQL build in use. */
  binaries: string;
  /** The cluster directory as PostgreSQL sees it (the data dir itself, or where its link points). */
  dataDir: string;
}

/** The PostgreSQL build of the `embedded-postgres` package for this platform (its `native/` directory). */
export function packagedBinaries(): { dir: string; version: string } {
  const require = createRequire(import.meta.url);
  const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
  const main = fromEmbedded.resolve(`@embedded-postgres/${platform()}-${arch()}`);
  const root = resolve(dirname(main), '..');
  const { version } = fromEmbedded(join(root, 'package.json')) as { version: string };
  return { dir: join(root, 'native'), version };
}

/** The `postgres` OS user, created (with its group) when missing, as embedded-postgres did. */
export async function postgresIds(): Promise<PostgresIds> {
  const lookup = async () => ({
    uid: Number(await _run('id', ['-u', 'postgres'])),
    gid: Number(await _run('id', ['-g', 'postgres'])),
  });
  try {
    return await lookup();
  } catch {
    await _run('groupadd', ['--system', 'postgres']).catch(() => undefined); // may exist alone
    await _run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres']);
    return lookup();
  }
}

/**
 * Where binaries and data go for a PostgreSQL run as `ids` (root only): the given ones when that user
 * reaches them, else copies in `runtimeDir`. An existing cluster it cannot reach cannot be moved
 * without changing the user's files: that is an error saying what to do.
 */
export async function placeForPostgresUser(opts: {
  binaries: string;
  version: string;
  dataDir: string;
  runtimeDir: string;
  ids: PostgresIds;
  logger?: Logger;
}): Promise<Places> {
  const { ids, runtimeDir, logger } = opts;
  let binaries = opts.binaries;
  if (!(await canReach(ids, join(binaries, 'bin', 'postgres')))) {
    binaries = await _copyBinaries(opts.binaries, join(runtimeDir, `postgresql-${opts.version}`));
    await _assertReachable(ids, join(binaries, 'bin', 'postgres'), runtimeDir);
    logger?.info(
      { from: opts.binaries, binaries },
      `the "postgres" user cannot reach the PostgreSQL binaries in ${opts.binaries}; running the copy in ${binaries}`,
    );
  }

  const dataDir = resolve(opts.dataDir);
  const existing = await lstat(dataDir).catch(() => undefined);
  if (existing) {
    const real = await realpath(dataDir);
    if (await canReach(ids, dirname(real))) return { binaries, dataDir: real };
    throw new Error(
      `the embedded PostgreSQL runs as the "postgres" user (PostgreSQL refuses root), which cannot enter ` +
        `${await _firstBlocked(ids, dirname(real))}, and ${dataDir} already holds a cluster, which cannot be moved for you: ` +
        `move it to a directory that user can reach and pass --data-dir, or start afresh with another --data-dir`,
    );
  }
  await mkdir(dirname(dataDir), { recursive: true });
  if (await canReach(ids, dirname(dataDir))) return { binaries, dataDir };
  const cluster = join(runtimeDir, 'data', createHash('sha256').update(dataDir).digest('hex').slice(0, 16));
  await _mkdirOpen(join(runtimeDir, 'data'));
  await mkdir(cluster, { recursive: true, mode: 0o700 });
  await chown(cluster, ids.uid, ids.gid);
  await _assertReachable(ids, cluster, runtimeDir);
  await symlink(cluster, dataDir, 'dir');
  logger?.info(
    { dataDir, cluster },
    `the "postgres" user cannot enter ${await _firstBlocked(ids, dirname(dataDir))}; the cluster lives in ${cluster} (${dataDir} links to it)`,
  );
  return { binaries, dataDir: cluster };
}

/** Whether a process running as `ids` can reach `path` (every directory above it searchable, it executable). */
export function canReach(ids: PostgresIds, path: string): Promise<boolean> {
  return new Promise((resolveReach) => {
    const probe = spawn('test', ['-x', path], { ...ids, stdio: 'ignore', cwd: '/' });
    probe.on('error', () => resolveReach(false));
    probe.on('close', (code) => resolveReach(code === 0));
  });
}

async function _assertReachable(ids: PostgresIds, path: string, runtimeDir: string): Promise<void> {
  if (await canReach(ids, path)) return;
  throw new Error(
    `the "postgres" user cannot reach ${await _firstBlocked(ids, path)} either: choose a runtime dir ` +
      `(now ${runtimeDir}; CFG_EMBEDDED_RUNTIME_DIR for cfg serve) whose parents it can enter`,
  );
}

/** The topmost directory above (or at) `dir` that `ids` cannot enter, for messages. */
async function _firstBlocked(ids: PostgresIds, dir: string): Promise<string> {
  const chain: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    chain.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const at of chain) if (!(await canReach(ids, at))) return at;
  return dir;
}

/** Copies the build once per version (a `.complete` marker says a copy finished), readable by all. */
async function _copyBinaries(from: string, to: string): Promise<string> {
  if (await pathExists(join(to, '.complete'))) return to;
  await _mkdirOpen(dirname(to));
  const partial = `${to}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await cp(from, partial, { recursive: true, verbatimSymlinks: true });
  await chmod(partial, 0o755);
  await writeFile(join(partial, '.complete'), from);
  await rm(to, { recursive: true, force: true });
  await rename(partial, to);
  return to;
}

/** Whether `path` exists. */
export async function pathExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** A root-owned directory others may enter but not write. */
async function _mkdirOpen(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  if (((await stat(dir)).mode & 0o005) !== 0o005) await chmod(dir, 0o755);
}

function _run(command: string, args: string[]): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolveRun(out.trim())
        : reject(new Error(`${command} ${args.join(' ')}: ${err.trim() || `exit ${code}`}`)),
    );
  });
}
