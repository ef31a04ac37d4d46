/**
 * What one replica spends per change of a 1,000-module document (the replicas bench's large case):
 * one real `cfg serve` process in database mode, BENCH_WRITES writes of the whole document that
 * change only the greeter's message, each waited for on the replica's event stream; the replica's
 * CPU time per write from /proc (all its threads), and with `--cpu-prof` its top self time (the
 * process runs with bench/lib/cpu-prof-preload.cjs, told to start after the warm-up writes; its
 * profile is written when the process stops, so the shutdown is in it too).
 * Run: pnpm --filter @cfg/bench bench:profile-replica [--small] [--cpu-prof] [-- <cfg serve args>]   (needs apps/server built and
 * PostgreSQL: DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres)
 * Env: BENCH_WRITES (default 60), BENCH_TOP (default 25), BENCH_PROFILE_OUT (also write the
 * .cpuprofile there, e.g. for Chrome DevTools). Prints only.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ADMIN_TOKEN,
  assertBuilt,
  cpuTimeMs,
  createBenchSchema,
  exampleText,
  ReloadEvents,
  ServerProcess,
  sleep,
  stopAllServers,
} from './lib/cfg-server.js';
import { type CpuProfile, topSelfTime } from './lib/cpu-profile.js';
import { summarize } from './lib/stats.js';
import { formatTable } from './lib/table.js';

const WRITES = Number(process.env.BENCH_WRITES ?? 60);
const WARMUP = 5;
const TOP = Number(process.env.BENCH_TOP ?? 25);
/** `--small`: the replicas bench's default document (the example, ~2.5 KB) instead of the large one. */
const small = process.argv.includes('--small');
const MODULES = 1_000;
const KEY = small ? 'default' : 'large';
const profile = process.argv.includes('--cpu-prof');
/** Arguments after `--` go to `cfg serve` (e.g. `-- --no-snapshot`, to see what a feature costs). */
const EXTRA_ARGS = process.argv.includes('--') ? process.argv.slice(process.argv.indexOf('--') + 1) : [];
/** Node 20 refuses `--cpu-prof` in NODE_OPTIONS: this preload profiles through the inspector instead. */
const PRELOAD = fileURLToPath(new URL('./lib/cpu-prof-preload.cjs', import.meta.url));

/** The replicas bench's large document: the example plus static-response modules (`--small`: the example alone). */
function largeText(message: string): string {
  if (small) return exampleText(message);
  const extra: string[] = [];
  for (let i = 0; extra.length < MODULES - 5; i++) {
    extra.push(
      `  - name: page-${i}\n    type: static-response\n    config:\n      path: /pages/${i}\n      body: { page: ${i}, on: true }\n`,
    );
  }
  return exampleText(message).replace(/^modules:\n/m, `modules:\n${extra.join('')}`);
}

await assertBuilt();
const db = await createBenchSchema('profile_replica');
const profileDir = await mkdtemp(join(tmpdir(), 'cfg-bench-profile-replica-'));
try {
  await db.store.putDocument(KEY, largeText('version 1'), { actor: 'bench' });
  const env: Record<string, string> = profile
    ? { NODE_OPTIONS: `--require ${PRELOAD}`, CFG_CPU_PROF_DIR: profileDir }
    : {};
  const server = await ServerProcess.start([...db.serveArgs, '--key', KEY, ...EXTRA_ARGS], { env });
  const events = await ReloadEvents.open(server.url, ADMIN_TOKEN);
  const pid = server.child.pid!;
  const cpu: number[] = [];
  const applied: number[] = [];
  for (let i = 0; i < WARMUP + WRITES; i++) {
    const before = await cpuTimeMs(pid);
    const written = await db.store.putDocument(KEY, largeText(`write ${i}`), { actor: 'bench' });
    const committedAt = performance.now();
    const event = await events.waitFor((e) => e.version === written.version, 10_000);
    if (event.outcome !== 'partial') throw new Error(`version ${written.version} was ${event.outcome}`);
    const appliedMs = event.receivedAt - committedAt;
    await sleep(50); // the replica's logs and reports after the event
    if (i === WARMUP - 1 && profile) {
      server.child.kill('SIGUSR2'); // the preload starts profiling: the warm-up is left out
      await sleep(50);
    }
    if (i >= WARMUP) {
      cpu.push((await cpuTimeMs(pid)) - before);
      applied.push(appliedMs);
    }
  }
  events.close();
  await server.stop();
  const c = summarize(cpu);
  const a = summarize(applied);
  console.log(
    `${WRITES} writes of a ${small ? 'small' : `${MODULES.toLocaleString('en')}-module`} document (${(Buffer.byteLength(largeText('x')) / 1024).toFixed(0)} KB), one replica; load average ${loadavg()[0]?.toFixed(2)}`,
  );
  console.log(
    `replica CPU per write: median ${c.median.toFixed(1)} ms, p99 ${c.p99.toFixed(1)} ms; commit → applied: median ${a.median.toFixed(1)} ms, p99 ${a.p99.toFixed(1)} ms`,
  );
  if (profile) {
    const files = (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile'));
    for (const file of files) {
      const text = await readFile(join(profileDir, file), 'utf8');
      if (process.env.BENCH_PROFILE_OUT) await writeFile(process.env.BENCH_PROFILE_OUT, text);
      const data = JSON.parse(text) as CpuProfile;
      console.log(`\n${file}: top self time over the timed writes (idle left out)\n`);
      console.log(formatTable(topSelfTime(data, TOP)));
    }
  }
} finally {
  await stopAllServers();
  await db.drop();
  await rm(profileDir, { recursive: true, force: true });
}
