import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '../embedded/index.js';
import { freePort } from './free-port.js';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a throw-away PostgreSQL (`@cfg/pg-store/embedded`) in a temp dir on a free port. As root it
 * runs as the `postgres` OS user, from copies of the binaries when that user cannot reach them (a
 * checkout under /root). Any failure is an error that says why, with the server's last log lines.
 */
export async function startEmbeddedPostgres(): Promise<RunningServer> {
  const databaseDir = await mkdtemp(join(tmpdir(), 'cfg-pg-'));
  await chmod(databaseDir, 0o755); // as root, the `postgres` user keeps the cluster inside it
  const cluster = join(databaseDir, 'data');
  let started: Awaited<ReturnType<typeof startCluster>>;
  try {
    started = await startCluster({ dataDir: cluster, port: await freePort() });
  } catch (error) {
    await rm(databaseDir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL could not start: ${(error as Error).message}`, { cause: error });
  }
  // If the run ends without teardown (a crash), still send the server its shutdown signal: all an
  // 'exit' handler can do is signal synchronously.
  const stopOnExit = () => {
    try {
      process.kill(started.pid, 'SIGINT');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', stopOnExit);
  return {
    url: started.url,
    stop: async () => {
      process.off('exit', stopOnExit);
      await started.stop();
      await rm(databaseDir, { recursive: true, force: true });
    },
  };
}
