/**
 * Bench 6, idle cost: the CPU time an idle `cfg serve` in database mode uses while nothing changes,
 * with the default (LISTEN/NOTIFY + a 5 s safety poll), with push + a 1 s poll, and with 1 s polling
 * alone (`--no-notify`). All three run at once over the same window, so they share the same machine
 * state. CPU time is read from /proc (schedstat of every thread) for each server, and — when PostgreSQL runs
 * on this machine — of the PostgreSQL backends serving it (found by `application_name`).
 * Run: pnpm --filter @cfg/bench bench:idle [--quick]   (needs apps/server built and PostgreSQL; Linux)
 */
import { existsSync } from 'node:fs';
import { isQuick } from './lib/args.js';
import {
  ADMIN_TOKEN,
  assertBuilt,
  cpuTimeMs,
  createBenchSchema,
  ServerProcess,
  sleep,
  stopAllServers,
} from './lib/cfg-server.js';
import { type Figure, ratio, value } from './lib/figures.js';
import { publish } from './lib/results.js';

const quick = isQuick();
const WINDOW_S = quick ? 10 : 60;
/** After start-up: connections open, JIT settled, the first polls done. */
const SETTLE_MS = quick ? 2_000 : 5_000;
const VARIANTS = [
  { name: 'push + 5 s poll (default)', args: [] },
  { name: 'push + 1 s poll', args: ['--poll-interval-ms', '1000'] },
  { name: '1 s poll, no NOTIFY', args: ['--no-notify', '--poll-interval-ms', '1000'] },
] as const;

await assertBuilt();
const db = await createBenchSchema('idle');
const figures: Figure[] = [];
try {
  const servers = await Promise.all(
    VARIANTS.map((v, i) =>
      ServerProcess.start([...db.serveArgs, ...v.args], { env: { PGAPPNAME: `cfg-bench-idle-${i}` } }),
    ),
  );
  await sleep(SETTLE_MS);
  const serverPids = servers.map((s) => s.child.pid!);
  const backendPids = async (i: number) => {
    const { rows } = await db.pool.query<{ pid: number }>(
      'select pid from pg_stat_activity where application_name = $1',
      [`cfg-bench-idle-${i}`],
    );
    // PostgreSQL elsewhere (DATABASE_URL): its backends are not ours to read.
    return rows.map((r) => r.pid).filter((pid) => existsSync(`/proc/${pid}/stat`));
  };
  const backendsBefore = await Promise.all(VARIANTS.map((_, i) => backendPids(i)));
  const cpu = (pids: readonly number[]) =>
    Promise.all(pids.map((pid) => cpuTimeMs(pid).catch(() => Number.NaN)));
  const serverStart = await cpu(serverPids);
  const backendStart = await Promise.all(backendsBefore.map(cpu));
  const started = performance.now();
  await sleep(WINDOW_S * 1000);
  const seconds = (performance.now() - started) / 1000;
  const serverEnd = await cpu(serverPids);
  const backendEnd = await Promise.all(backendsBefore.map(cpu));
  const backendsAfter = await Promise.all(VARIANTS.map((_, i) => backendPids(i)));

  // Idle means idle: no reload happened during the window.
  for (const [i, server] of servers.entries()) {
    const res = await server.fetch('/api/v1/reloads', { token: ADMIN_TOKEN });
    const { reloads } = (await res.json()) as { reloads: unknown[] };
    if (reloads.length > 0) throw new Error(`idle: ${VARIANTS[i]!.name} reloaded ${reloads.length} times`);
  }
  await Promise.all(servers.map((s) => s.stop()));

  const perMinute = (ms: number) => (ms * 60) / seconds;
  const serverMs = VARIANTS.map((_, i) => perMinute(serverEnd[i]! - serverStart[i]!));
  for (const [i, v] of VARIANTS.entries()) {
    figures.push(
      value(
        `cfg serve CPU: ${v.name}`,
        serverMs[i]!,
        'ms per minute',
        `${((100 * serverMs[i]!) / 60_000).toFixed(3)} % of one core`,
      ),
    );
    const before = backendsBefore[i]!;
    const same = before.length > 0 && before.join() === backendsAfter[i]!.join();
    const used = backendEnd[i]!.reduce((a, b, k) => a + b - backendStart[i]![k]!, 0);
    figures.push(
      value(
        `PostgreSQL backends' CPU: ${v.name}`,
        same && Number.isFinite(used) ? perMinute(used) : 'n/a',
        same ? 'ms per minute' : undefined,
        same
          ? `${before.length} backend(s)`
          : 'not measured: PostgreSQL is not local, or its backends changed during the window',
      ),
    );
  }
  const compare = (name: string, i: number, compares: string) =>
    serverMs[0]! > 0
      ? ratio(name, serverMs[i]!, serverMs[0]!, compares)
      : value(name, 'n/a', undefined, 'the default used no measurable CPU time in the window');
  figures.push(
    compare(
      '1 s poll, no NOTIFY / default',
      2,
      'cfg serve CPU time over the window, 1 s polling without NOTIFY over push + 5 s poll',
    ),
    compare(
      'push + 1 s poll / default',
      1,
      'cfg serve CPU time over the window, push + 1 s poll over push + 5 s poll',
    ),
  );
} finally {
  await stopAllServers();
  await db.drop();
}

publish({
  name: 'idle',
  title: '6. Idle cost of `cfg serve` in database mode (push + safety poll vs 1 s polling)',
  about: `Three \`cfg serve\` processes (apps/server/dist) in database mode on one schema, started together and left alone: nothing writes, and each is checked to have made no reload. After ${SETTLE_MS / 1000} s of settling, CPU time (the sum of /proc/<pid>/task/*/schedstat run times, ns resolution; utime + stime where that is missing) is read at the start and the end of a ${WINDOW_S} s window, for each server and for the PostgreSQL backends it holds (by application_name; only when PostgreSQL runs on this machine). Scaled to ms per minute. A poll is one \`select hash\` per interval; push adds one idle LISTEN connection.`,
  quick,
  figures,
});
