/**
 * What the whole-system benches share: real `cfg serve` processes (the server's own e2e helpers,
 * run from apps/server/dist), a throw-away schema on the bench PostgreSQL, and CPU time from /proc.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PgConfigStore } from '@cfg/pg-store';
import pg from 'pg';
import { killAllServersSync } from '../../apps/server/test/helpers/cfg-process.js';
import { DATABASE_URL } from './postgres.js';

export {
  ADMIN_TOKEN,
  assertBuilt,
  ServerProcess,
  stopAllServers,
} from '../../apps/server/test/helpers/cfg-process.js';
export { ReloadEvents } from '../../apps/server/test/helpers/reload-events.js';
export { SecretVolume } from '../../apps/server/test/helpers/secret-volume.js';

/** A bench that dies half-way must not leave servers running. */
process.once('exit', killAllServersSync);

/** The example config users start from (`pnpm start`). */
export const EXAMPLE_CONFIG = fileURLToPath(
  new URL('../../apps/server/examples/config.yaml', import.meta.url),
);

/**
 * The example config with the rate limiter opened up (a benchmark must measure the path, not the
 * 429s) and the greeter's message replaced by `message`.
 */
export function exampleText(message: string): string {
  const text = readFileSync(EXAMPLE_CONFIG, 'utf8')
    .replace(/rps: \d+/, 'rps: 1000000')
    .replace(/burst: \d+/, 'burst: 1000000')
    .replace(/message: .*/, `message: ${JSON.stringify(message)}`);
  if (!text.includes(JSON.stringify(message))) throw new Error('examples/config.yaml has no greeter message');
  return text;
}

export interface BenchSchema {
  url: string;
  schema: string;
  pool: pg.Pool;
  store: PgConfigStore;
  /** The `cfg serve` flags for database mode on this schema (document `default`, unless `--key` follows). */
  serveArgs: string[];
  /** Drops the schema and ends the pool. */
  drop(): Promise<void>;
}

/** A fresh, migrated schema on the bench PostgreSQL holding the example as document `default`. */
export async function createBenchSchema(name: string): Promise<BenchSchema> {
  const url = DATABASE_URL;
  const schema = `cfg_bench_${name.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: url, max: 12 });
  const store = new PgConfigStore(pool, { schema });
  await store.migrate();
  await store.putDocument('default', exampleText('version 1'), { actor: 'bench' });
  return {
    url,
    schema,
    pool,
    store,
    serveArgs: ['--database-url', url, '--db-schema', schema],
    drop: async () => {
      try {
        await pool.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await pool.end();
      }
    },
  };
}

/**
 * CPU time a process has used so far, in ms: the sum over its threads of `/proc/<pid>/task/<tid>/schedstat`
 * (time on a CPU, in ns), so short windows are not lost to the 10 ms ticks of `/proc/<pid>/stat`
 * (utime + stime), which is the fallback when schedstat is not there.
 */
export async function cpuTimeMs(pid: number): Promise<number> {
  try {
    const tids = await readdir(`/proc/${pid}/task`);
    const ns = await Promise.all(
      tids.map(async (tid) =>
        Number((await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8')).split(' ')[0]),
      ),
    );
    if (ns.every(Number.isFinite)) return ns.reduce((a, b) => a + b, 0) / 1e6;
  } catch {
    // No schedstat (or a thread left while reading): use the coarse counters.
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** `getconf CLK_TCK`: 100 on every Linux Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
