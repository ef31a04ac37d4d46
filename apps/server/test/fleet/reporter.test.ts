import { type FleetInstance, PgConfigStore } from '@cfg/pg-store';
import { createTestSchema, startProxy, type TcpProxy, type TestSchema } from '@cfg/pg-store/testing';
import type { ReloadOutcome, ReloadResult } from '@cfg/reloader';
import type { Logger } from '@cfg/source';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { instanceIdentity } from '../../src/fleet/instance.js';
import { FleetReporter } from '../../src/fleet/reporter.js';
import { Redactor } from '../../src/secrets/redactor.js';

let db: TestSchema;
let store: PgConfigStore;
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  db = await createTestSchema({ poolSize: 4 });
  store = new PgConfigStore(db.pool, { schema: db.schema });
  await store.migrate();
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});
afterAll(() => db.drop());

function result(
  version: number | undefined,
  outcome: ReloadOutcome,
  extra: Partial<ReloadResult> = {},
): ReloadResult {
  return {
    outcome,
    fromHash: 'before',
    toHash: `hash-${version}`,
    ...(version === undefined ? {} : { version }),
    source: 'database:test',
    modules: [],
    durationMs: 1.5,
    at: new Date(),
    ...extra,
  };
}

function reporter(
  key: string,
  opts: {
    store?: PgConfigStore;
    heartbeatMs?: number;
    maxQueued?: number;
    logger?: Logger;
    redactor?: Redactor;
    reportSpacingMs?: number;
  } = {},
) {
  const r = new FleetReporter({
    store: opts.store ?? store,
    identity: instanceIdentity({ key, mode: 'database', labels: { zone: 'a' } }),
    initial: { version: 1, hash: 'hash-1' },
    heartbeatMs: opts.heartbeatMs ?? 60_000,
    ...(opts.maxQueued ? { maxQueued: opts.maxQueued } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.redactor ? { redactor: opts.redactor } : {}),
    ...(opts.reportSpacingMs === undefined ? {} : { reportSpacingMs: opts.reportSpacingMs }),
  });
  cleanup.push(() => r.stop());
  return r;
}

/** Re-reads the fleet of `key` until `done` holds for instance `id` (no fixed sleeps). */
async function untilInstance(
  key: string,
  id: string,
  done: (i: FleetInstance) => boolean,
  timeoutMs = 10_000,
) {
  const started = performance.now();
  for (;;) {
    const found = (await store.fleet(key)).instances.find((i) => i.id === id);
    if (found && done(found)) return found;
    if (performance.now() - started > timeoutMs) throw new Error(`timed out; last: ${JSON.stringify(found)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function outcomeRows(id: string) {
  const { rows } = await db.pool.query<{ version: number; outcome: string; error_code: string | null }>(
    `select version, outcome, error_code from ${db.schema}.outcomes where instance_id = $1 order by version`,
    [id],
  );
  return rows;
}

/** A logger that keeps its lines. */
function memoryLogger() {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (_obj: unknown, msg?: string) => lines.push({ level, msg: msg ?? '' });
  return {
    lines,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as Logger,
  };
}

describe('FleetReporter', () => {
  it('registers on the version it started on, then reports each stored version once, in order', async () => {
    const r = reporter('rep/basic');
    r.start();
    // The start is the first report: every module was built from version 1.
    const registered = await untilInstance('rep/basic', r.id, (i) => i.lastOutcome !== null);
    expect(registered).toMatchObject({
      state: 'live',
      version: 1,
      hash: 'hash-1',
      labels: { zone: 'a' },
      mode: 'database',
      lastOutcome: { version: 1, outcome: 'full' },
    });
    expect(registered.id).toMatch(/^[A-Za-z0-9._-]+-\d+-[0-9a-f]{6}$/);

    r.record(result(2, 'partial'));
    r.record(result(2, 'noop')); // the same version delivered again: not a second report
    r.record(result(1, 'superseded')); // older than what was reported: skipped
    r.record(result(undefined, 'full')); // no stored version (a file change): not a fleet report
    r.record(
      result(3, 'rejected', {
        errorCode: 'CFG_VALIDATION',
        error: 'modules.greeter.config.message: Too small',
        issues: [{ path: 'modules.greeter.config.message', message: 'Too small' }],
      }),
    );
    const after = await untilInstance('rep/basic', r.id, (i) => i.lastOutcome?.version === 3);
    expect(after).toMatchObject({
      version: 2,
      hash: 'hash-2',
      lastOutcome: { outcome: 'rejected', errorCode: 'CFG_VALIDATION' },
    });
    expect(await outcomeRows(r.id)).toEqual([
      { version: 1, outcome: 'full', error_code: null },
      { version: 2, outcome: 'partial', error_code: null },
      { version: 3, outcome: 'rejected', error_code: 'CFG_VALIDATION' },
    ]);
    await r.stop();
    expect((await untilInstance('rep/basic', r.id, () => true)).state).toBe('stopped');
  });

  it('a burst of versions is written in a few batches, at most one per reportSpacingMs, every report kept', async () => {
    const writes: number[][] = [];
    const counting = {
      registerInstance: store.registerInstance.bind(store),
      heartbeat: store.heartbeat.bind(store),
      deregisterInstance: store.deregisterInstance.bind(store),
      reportOutcomes: (reports: Parameters<PgConfigStore['reportOutcomes']>[0]) => {
        writes.push(reports.map((r) => r.version));
        return store.reportOutcomes(reports);
      },
    } as unknown as PgConfigStore;
    const r = reporter('rep/burst', { store: counting, reportSpacingMs: 300 });
    r.start();
    await untilInstance('rep/burst', r.id, (i) => i.lastOutcome !== null);
    for (let version = 2; version <= 21; version++) r.record(result(version, 'partial'));
    await untilInstance('rep/burst', r.id, (i) => i.version === 21);
    // The start's report went at once; the burst waited out the spacing and went as one.
    expect(writes).toEqual([[1], Array.from({ length: 20 }, (_, i) => i + 2)]);
    expect((await outcomeRows(r.id)).map((row) => row.version)).toEqual(
      Array.from({ length: 21 }, (_, i) => i + 1),
    );
  });

  it('a rejection that quotes a secret is written to the store masked (every instance and cfg status read it)', async () => {
    const secret = 'fleet-secret-Zq81x';
    const redactor = new Redactor();
    redactor.learn({
      config: { modules: [{ name: 'm', type: secret, config: {} }] },
      secretPaths: ['/modules/0/type'],
    });
    const r = reporter('rep/secret', { redactor });
    r.start();
    const quoted = `unknown module type "${secret}"; known: greeter`;
    r.record(
      result(2, 'rejected', {
        errorCode: 'CFG_VALIDATION',
        error: quoted,
        issues: [{ path: 'modules.m.type', message: quoted }],
      }),
    );
    await untilInstance('rep/secret', r.id, (i) => i.lastOutcome?.version === 2);
    const rollout = JSON.stringify(await store.rollout('rep/secret', 2));
    expect(rollout).toContain('unknown module type \\"******\\"');
    expect(rollout).not.toContain(secret);
  });

  it('a store outage only delays reports: record() just queues, and the queue is written once the store is back', async () => {
    const proxy: TcpProxy = await startProxy(new URL(db.url));
    const pool = new pg.Pool({ connectionString: proxy.url, max: 2, connectionTimeoutMillis: 2000 });
    pool.on('error', () => undefined);
    cleanup.push(
      () => proxy.close(),
      () => pool.end(),
    );
    const { lines, logger } = memoryLogger();
    const r = reporter('rep/outage', {
      store: new PgConfigStore(pool, { schema: db.schema }),
      heartbeatMs: 100,
      logger,
    });
    r.start(); // the registration fails: nothing listens behind the proxy yet
    r.record(result(2, 'full'));
    r.record(result(3, 'partial'));
    expect(r.queued).toBe(3); // the start (version 1), then 2 and 3
    await expect
      .poll(() => lines.filter((l) => /^fleet \w+ failed/.test(l.msg)).length, { timeout: 10_000 })
      .toBeGreaterThan(0);

    await proxy.open();
    // Registered (again) as running what it applied meanwhile, then the queue in order.
    const back = await untilInstance('rep/outage', r.id, (i) => i.lastOutcome?.version === 3);
    expect(back).toMatchObject({ version: 3, hash: 'hash-3', lastOutcome: { outcome: 'partial' } });
    expect((await outcomeRows(r.id)).map((o) => o.version)).toEqual([1, 2, 3]);
    expect(r.queued).toBe(0);
    // One line for the whole outage, at debug (the poller is the one that warns about the database),
    // and one line when it is over.
    expect(lines.filter((l) => /^fleet \w+ failed/.test(l.msg)).map((l) => l.level)).toEqual(['debug']);
    await expect.poll(() => lines.some((l) => l.level === 'info' && /written again/.test(l.msg))).toBe(true);
  });

  it('keeps at most maxQueued reports while the store is away, dropping the oldest', async () => {
    const proxy = await startProxy(new URL(db.url));
    const pool = new pg.Pool({ connectionString: proxy.url, max: 2, connectionTimeoutMillis: 2000 });
    pool.on('error', () => undefined);
    cleanup.push(
      () => proxy.close(),
      () => pool.end(),
    );
    const r = reporter('rep/bounded', {
      store: new PgConfigStore(pool, { schema: db.schema }),
      heartbeatMs: 100,
      maxQueued: 5,
    });
    r.start();
    for (let v = 2; v <= 20; v++) r.record(result(v, 'partial'));
    expect(r.queued).toBe(5);
    await proxy.open();
    await untilInstance('rep/bounded', r.id, (i) => i.lastOutcome?.version === 20);
    expect((await outcomeRows(r.id)).map((o) => o.version)).toEqual([16, 17, 18, 19, 20]);
  });

  it('a version first rejected, then applied (overlay: a bad file save fixed by the next), ends as applied', async () => {
    const r = reporter('rep/overlay');
    r.start();
    r.record(result(2, 'rejected', { errorCode: 'CFG_VALIDATION' }));
    r.record(result(2, 'partial'));
    r.record(result(2, 'rejected', { errorCode: 'CFG_VALIDATION' })); // a later bad save: v2 is still applied
    r.record(result(2, 'full'));
    await untilInstance('rep/overlay', r.id, (i) => i.lastOutcome?.outcome === 'partial');
    expect(await outcomeRows(r.id)).toEqual([
      { version: 1, outcome: 'full', error_code: null },
      { version: 2, outcome: 'partial', error_code: null },
    ]);
    expect((await store.fleet('rep/overlay')).instances[0]).toMatchObject({ version: 2, hash: 'hash-2' });
  });

  it('registers again when the store no longer knows it (pruned), and the report still lands', async () => {
    const r = reporter('rep/pruned');
    r.start();
    await untilInstance('rep/pruned', r.id, (i) => i.state === 'live');
    await db.pool.query(`delete from ${db.schema}.instances where id = $1`, [r.id]);
    r.record(result(2, 'full'));
    const back = await untilInstance('rep/pruned', r.id, (i) => i.lastOutcome?.version === 2);
    expect(back).toMatchObject({ state: 'live', version: 2 });
  });

  it('heartbeats keep it live past its TTL (3 heartbeats); after stop() it is no longer live', async () => {
    const r = reporter('rep/heartbeat', { heartbeatMs: 100 });
    r.start();
    const first = await untilInstance('rep/heartbeat', r.id, (i) => i.state === 'live');
    // Well past the 300 ms TTL of the registration, still live: the heartbeats renewed it.
    const later = await untilInstance(
      'rep/heartbeat',
      r.id,
      (i) => i.heartbeatAt.getTime() - first.heartbeatAt.getTime() > 600,
    );
    expect(later.state).toBe('live');
    await r.stop();
    expect((await store.fleet('rep/heartbeat', { goneWithinMs: 0 })).instances).toEqual([]);
  });
});
