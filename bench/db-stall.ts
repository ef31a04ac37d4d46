/**
 * A stalled database: how long a `PUT /api/v1/modules/greeter/config` takes to answer while another
 * transaction holds the document's row lock (`BEGIN; SELECT … FOR UPDATE`), for the default
 * `--db-lock-timeout-ms` (2000) and a shorter one (500); and `/readyz` latency while a PUT waits on
 * that lock. Every stalled PUT must answer 503 CFG_ERR_SOURCE_UNAVAILABLE with Retry-After, after
 * about the lock timeout (before issue 11, it waited as long as the lock was held). A PUT after the
 * lock is released is the baseline.
 * Run: pnpm --filter @cfg/bench bench:db-stall [--quick]   (needs apps/server built and PostgreSQL)
 */
import pg from 'pg';
import { isQuick } from './lib/args.js';
import {
  ADMIN_TOKEN,
  assertBuilt,
  createBenchSchema,
  ServerProcess,
  stopAllServers,
} from './lib/cfg-server.js';
import { type Figure, ratio, timing } from './lib/figures.js';
import { publish } from './lib/results.js';
import { summarize } from './lib/stats.js';

const quick = isQuick();
const PUTS = quick ? 3 : 20;
const PROBES = quick ? 50 : 500;
const LOCK_TIMEOUTS = [2_000, 500] as const;

await assertBuilt();
const db = await createBenchSchema('db-stall');
const figures: Figure[] = [];
try {
  for (const lockTimeoutMs of LOCK_TIMEOUTS) {
    const server = await ServerProcess.start([
      ...db.serveArgs,
      '--db-lock-timeout-ms',
      String(lockTimeoutMs),
    ]);
    const put = async (message: string) => {
      const started = performance.now();
      const res = await server.fetch('/api/v1/modules/greeter/config', {
        method: 'PUT',
        json: { message },
        token: ADMIN_TOKEN,
      });
      const body = (await res.json()) as { code?: string };
      return {
        ms: performance.now() - started,
        status: res.status,
        code: body.code,
        retryAfter: res.headers.get('retry-after'),
      };
    };
    await put('warm-up'); // the writer's first read and the connections, outside the stall
    const versionBefore = (await db.store.getDocument('default'))!.version;

    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    const stalled: number[] = [];
    const probes: number[] = [];
    try {
      await holder.query('begin');
      await holder.query(`select 1 from ${db.schema}.documents where key = 'default' for update`);
      for (let i = 0; i < PUTS; i++) {
        const answer = await put(`stalled ${i}`);
        if (
          answer.status !== 503 ||
          answer.code !== 'CFG_ERR_SOURCE_UNAVAILABLE' ||
          answer.retryAfter !== '1'
        ) {
          throw new Error(
            `a stalled PUT answered ${answer.status} ${answer.code} (Retry-After ${answer.retryAfter})`,
          );
        }
        stalled.push(answer.ms);
      }
      // /readyz while one more PUT waits on the lock (until it answers, at most PROBES probes).
      let answered = false;
      const waiting = put('waiting').finally(() => {
        answered = true;
      });
      while (!answered && probes.length < PROBES) {
        const started = performance.now();
        const res = await server.fetch('/readyz');
        await res.arrayBuffer();
        probes.push(performance.now() - started);
      }
      await waiting;
    } finally {
      await holder.query('rollback').catch(() => {});
      await holder.end();
    }
    const versionAfter = (await db.store.getDocument('default'))!.version;
    if (versionAfter !== versionBefore) {
      throw new Error(`stalled PUTs stored something: version ${versionBefore} became ${versionAfter}`);
    }
    const free: number[] = [];
    for (let i = 0; i < PUTS; i++) {
      const answer = await put(`free ${i}`);
      if (answer.status !== 200) throw new Error(`a PUT without the lock answered ${answer.status}`);
      free.push(answer.ms);
    }
    await server.stop();

    const label = `--db-lock-timeout-ms ${lockTimeoutMs}${lockTimeoutMs === 2_000 ? ' (default)' : ''}`;
    const stats = summarize(stalled);
    figures.push(
      timing(`PUT answer, row lock held, ${label}`, stats, {
        note: 'every one 503 CFG_ERR_SOURCE_UNAVAILABLE, Retry-After: 1, nothing stored',
      }),
      ratio(
        `PUT answer / lock timeout, ${label}`,
        stats.max,
        lockTimeoutMs,
        'slowest stalled PUT answer over the lock timeout (1 = answered right at the timeout)',
      ),
      timing(`/readyz while a PUT waits on the lock, ${label}`, summarize(probes)),
      timing(`PUT answer, no lock (baseline), ${label}`, summarize(free)),
    );
  }
} finally {
  await stopAllServers();
  await db.drop();
}

publish({
  name: 'db-stall',
  title:
    'Issue 11: PUT answer time with the row lock held (bounded by --db-lock-timeout-ms), /readyz meanwhile',
  about: `One \`cfg serve\` in database mode (apps/server/dist) per lock timeout (${LOCK_TIMEOUTS.join(' and ')} ms). A second connection holds the document's row lock (BEGIN; SELECT … FOR UPDATE) while ${PUTS} PUTs are sent one after another; each answer is timed from the client (sent to last byte) and must be 503 CFG_ERR_SOURCE_UNAVAILABLE with Retry-After: 1. Then ${PROBES} /readyz probes are timed while one more PUT waits on the lock. After the lock is released, ${PUTS} PUTs are the baseline. Before issue 11 a stalled PUT waited as long as the lock was held.`,
  quick,
  figures,
});
