/**
 * Real `cfg serve` processes for the e2e and fault tests and for the whole-system benches (bench/
 * imports this file, so it must not import vitest: test files get the after-all cleanup from
 * server-process.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A TCP port nothing listens on right now (for the embedded PostgreSQL): the pg-store test helper. */
export { freePort } from '@cfg/pg-store/testing';

/** The BUILT CLI: end-to-end tests run what users run. */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const SRC = fileURLToPath(new URL('../../src', import.meta.url));

export const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
export const READ_TOKEN = 'e2e-read-token-0123456789';

export interface LogEntry {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** Fails loudly when dist/ is missing or older than src/ (run `pnpm build` first). */
export async function assertBuilt(): Promise<void> {
  let built: number;
  try {
    built = statSync(CLI).mtimeMs;
  } catch {
    throw new Error(`${CLI} is missing: run \`pnpm build\` in apps/server before the tests`);
  }
  const files = await readdir(SRC, { recursive: true });
  const stale = files.find((f) => f.endsWith('.ts') && statSync(`${SRC}/${f}`).mtimeMs > built);
  if (stale)
    throw new Error(`dist/cli.js is older than src/${stale}: run \`pnpm build\` in apps/server first`);
}

/** A `cfg serve` child process on a free port, with its JSON log lines parsed as they come. */
export class ServerProcess {
  readonly child: ChildProcess;
  readonly logs: LogEntry[] = [];
  /** Everything the process wrote to stdout, as written (the secret scan reads it). */
  stdout = '';
  stderr = '';
  url = '';
  readonly #waiters = new Set<() => void>();
  readonly exited: Promise<number | null>;

  private constructor(child: ChildProcess) {
    this.child = child;
    let buffered = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (line.startsWith('{')) this.logs.push(JSON.parse(line) as LogEntry);
      this.#wake();
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.#wake();
    });
    this.exited = new Promise((resolve) => {
      child.on('exit', (code) => {
        resolve(code);
        this.#wake();
      });
    });
  }

  /** Starts `cfg serve --port 0 …args` and resolves once it printed the URL it bound. */
  static async start(
    args: string[],
    opts: { env?: Record<string, string>; cwd?: string } = {},
  ): Promise<ServerProcess> {
    // Local snapshots go to a directory of this process's own (removed when it exits), unless asked.
    const snapshotDir = opts.env?.CFG_SNAPSHOT_DIR ?? mkdtempSync(join(tmpdir(), 'cfg-snapshots-'));
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--log-format', 'json', ...args], {
      cwd: opts.cwd,
      env: {
        ...process.env,
        CFG_ADMIN_TOKEN: ADMIN_TOKEN,
        CFG_READ_TOKEN: READ_TOKEN,
        CFG_SNAPSHOT_DIR: snapshotDir,
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (opts.env?.CFG_SNAPSHOT_DIR === undefined) {
      child.on('exit', () => rmSync(snapshotDir, { recursive: true, force: true }));
    }
    const server = new ServerProcess(child);
    running.add(server);
    const exitedEarly = server.exited.then((code) => {
      throw new Error(
        `cfg serve exited with ${code} before listening; stderr: ${server.stderr}\nlogs: ${JSON.stringify(server.logs.slice(-5))}`,
      );
    });
    const listening = await Promise.race([
      server.waitForLog((e) => typeof e.url === 'string', 60_000),
      exitedEarly,
    ]);
    exitedEarly.catch(() => {}); // a later exit (a stop) is expected
    server.url = listening.url as string;
    return server;
  }

  /** Resolves with the first log entry (already seen or still to come) that matches. */
  waitForLog(match: (entry: LogEntry) => boolean, timeoutMs = 10_000, from = 0): Promise<LogEntry> {
    return this.#waitFor(() => this.logs.slice(from).find(match), timeoutMs, 'a matching log line');
  }

  /** Resolves once `check` passes, re-checking after every output of the process and on a short timer. */
  #waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(test);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; stderr: ${this.stderr}\nlogs: ${JSON.stringify(this.logs.slice(-5))}`,
          ),
        );
      }, timeoutMs);
      const test = () => {
        const found = check();
        if (found === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(test);
        resolve(found);
      };
      this.#waiters.add(test);
      test();
    });
  }

  async fetch(path: string, init: RequestInit & { token?: string; json?: unknown } = {}): Promise<Response> {
    const { token, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${this.url}${path}`, {
      ...rest,
      headers,
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
  }

  async hello(): Promise<string> {
    return ((await (await this.fetch('/hello')).json()) as { message: string }).message;
  }

  /** Sends `signal` and resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const code = await this.exited;
    running.delete(this);
    return code;
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

const running = new Set<ServerProcess>();

/** SIGKILLs every server started here that is still running (test teardown, a bench's last step). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop('SIGKILL')));
}

/** The same from an 'exit' handler, which cannot wait: signals only. */
export function killAllServersSync(): void {
  for (const server of running) server.child.kill('SIGKILL');
}

/** Polls `read` until it returns `expected` (no fixed sleeps: it re-reads as fast as the server answers). */
export async function until<T>(read: () => Promise<T>, expected: T, timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  let last: T | undefined;
  while (performance.now() - started < timeoutMs) {
    last = await read();
    if (last === expected) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms: last saw ${JSON.stringify(last)}, wanted ${JSON.stringify(expected)}`,
  );
}

/** Runs the built CLI once and collects its output and exit code. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  opts: { cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
