import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FleetNotice,
  type InstanceRegistration,
  InvalidKeyError,
  InvalidNoticeError,
  PgConfigStore,
  rolloutStatus,
  UnknownInstanceError,
} from '../src/index.js';
import { createTestStore, deferred, type TestStore } from './helpers.js';

let t: TestStore;
beforeAll(async () => {
  t = await createTestStore();
});
afterAll(() => t.db.drop());

let seq = 0;
/** A registration on `key` with a fresh id. */
function instance(key: string, extra: Partial<InstanceRegistration> = {}): InstanceRegistration {
  seq++;
  return { id: `test-${seq}`, key, host: 'box', pid: 1000 + seq, mode: 'database', ...extra };
}

/** Writes `n` versions of `key` (1..n). */
async function versions(key: string, n: number): Promise<void> {
  for (let v = 1; v <= n; v++) await t.store.putDocument(key, `v${v}`);
}

/** Re-reads `read` until `done` holds (no fixed sleeps), failing after `timeoutMs`. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const started = performance.now();
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (performance.now() - started > timeoutMs) throw new Error(`timed out: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('registerInstance() and fleet()', () => {
  it('lists a registered instance as live, on the version it started on, with its labels', async () => {
    await versions('f/basic', 2);
    const reg = instance('f/basic', { version: 2, hash: 'h2', labels: { zone: 'a', release: '1.2' } });
    await t.store.registerInstance(reg);
    const fleet = await t.store.fleet('f/basic');
    expect(fleet.newestVersion).toBe(2);
    expect(fleet.instances).toHaveLength(1);
    expect(fleet.instances[0]).toMatchObject({
      id: reg.id,
      key: 'f/basic',
      host: 'box',
      pid: reg.pid,
      mode: 'database',
      labels: { zone: 'a', release: '1.2' },
      state: 'live',
      version: 2,
      hash: 'h2',
      lag: 0,
      lastOutcome: null,
    });
    expect(fleet.instances[0]!.appliedAt).toBeInstanceOf(Date);
    expect(fleet.versions.map((v) => [v.version, v.counts])).toEqual([
      [2, { applied: 1, rejected: 0, superseded: 0, pending: 0 }],
      [1, { applied: 0, rejected: 0, superseded: 1, pending: 0 }],
    ]);
  });

  it('an applied outcome moves the instance to that version; a rejection leaves it where it was', async () => {
    await versions('f/outcomes', 3);
    const reg = instance('f/outcomes', { version: 1 });
    await t.store.registerInstance(reg);
    await t.store.reportOutcome({
      instanceId: reg.id,
      key: 'f/outcomes',
      version: 2,
      outcome: 'partial',
      hash: 'h2',
    });
    let [me] = (await t.store.fleet('f/outcomes')).instances;
    expect(me).toMatchObject({
      version: 2,
      hash: 'h2',
      lag: 1,
      lastOutcome: { version: 2, outcome: 'partial' },
    });
    const appliedAt = me!.appliedAt;

    await t.store.reportOutcome({
      instanceId: reg.id,
      key: 'f/outcomes',
      version: 3,
      outcome: 'rejected',
      errorCode: 'CFG_VALIDATION',
      error: 'modules.greeter.config.message: Too small',
      issues: [{ path: 'modules.greeter.config.message', message: 'Too small' }],
    });
    [me] = (await t.store.fleet('f/outcomes')).instances;
    expect(me).toMatchObject({
      version: 2,
      hash: 'h2',
      lag: 1,
      appliedAt,
      lastOutcome: { version: 3, outcome: 'rejected', errorCode: 'CFG_VALIDATION' },
    });
    const rollout = await t.store.rollout('f/outcomes', 3);
    expect(rollout.state).toBe('rejected');
    expect(rollout.instances[0]!.outcome).toMatchObject({
      outcome: 'rejected',
      errorCode: 'CFG_VALIDATION',
      error: 'modules.greeter.config.message: Too small',
      issues: [{ path: 'modules.greeter.config.message', message: 'Too small' }],
    });
  });

  it('counts the live instances per recent version: applied, rejected, superseded, pending', async () => {
    await versions('f/counts', 3);
    const a = instance('f/counts', { version: 1 });
    const b = instance('f/counts', { version: 1 });
    const c = instance('f/counts', { version: 3 }); // started later, on the newest
    for (const reg of [a, b, c]) await t.store.registerInstance(reg);
    await t.store.reportOutcome({ instanceId: a.id, key: 'f/counts', version: 2, outcome: 'full' });
    await t.store.reportOutcome({ instanceId: b.id, key: 'f/counts', version: 2, outcome: 'rejected' });
    const fleet = await t.store.fleet('f/counts', { versions: 2 });
    expect(fleet.versions.map((v) => [v.version, v.counts])).toEqual([
      [3, { applied: 1, rejected: 0, superseded: 0, pending: 2 }],
      [2, { applied: 1, rejected: 1, superseded: 1, pending: 0 }],
    ]);
    expect(fleet.instances.map((i) => [i.id, i.lag])).toEqual([
      [a.id, 1],
      [b.id, 2],
      [c.id, 0],
    ]);
  });

  it('versions only move forward: a late report of an older version leaves what it runs alone', async () => {
    await versions('f/forward', 3);
    const reg = instance('f/forward', { version: 1 });
    await t.store.registerInstance(reg);
    await t.store.reportOutcome({
      instanceId: reg.id,
      key: 'f/forward',
      version: 3,
      outcome: 'full',
      hash: 'h3',
    });
    await t.store.reportOutcome({
      instanceId: reg.id,
      key: 'f/forward',
      version: 2,
      outcome: 'full',
      hash: 'h2',
    });
    const [me] = (await t.store.fleet('f/forward')).instances;
    expect(me).toMatchObject({ version: 3, hash: 'h3', lastOutcome: { version: 2, outcome: 'full' } });
  });

  it('a second report for the same version replaces the first', async () => {
    await versions('f/replace', 1);
    const reg = instance('f/replace');
    await t.store.registerInstance(reg);
    await t.store.reportOutcome({ instanceId: reg.id, key: 'f/replace', version: 1, outcome: 'rejected' });
    await t.store.reportOutcome({ instanceId: reg.id, key: 'f/replace', version: 1, outcome: 'full' });
    const { rows } = await t.db.pool.query(
      `select outcome from ${t.db.schema}.outcomes where key = 'f/replace'`,
    );
    expect(rows).toEqual([{ outcome: 'full' }]);
    expect((await t.store.rollout('f/replace', 1)).state).toBe('complete');
  });

  it('an instance that stops heartbeating shows as gone; one that deregisters, as stopped', async () => {
    await versions('f/gone', 1);
    const quiet = instance('f/gone', { version: 1, ttlMs: 150 });
    const leaving = instance('f/gone', { version: 1 });
    await t.store.registerInstance(quiet);
    await t.store.registerInstance(leaving);
    expect(await t.store.heartbeat(quiet.id, { ttlMs: 150 })).toBe(true);
    await t.store.deregisterInstance(leaving.id);
    expect(await t.store.heartbeat(leaving.id)).toBe(false);
    const fleet = await until(
      () => t.store.fleet('f/gone'),
      (f) => f.instances.find((i) => i.id === quiet.id)?.state === 'gone',
    );
    expect(Object.fromEntries(fleet.instances.map((i) => [i.id, i.state]))).toEqual({
      [quiet.id]: 'gone',
      [leaving.id]: 'stopped',
    });
    // Neither counts any more, and `goneWithinMs: 0` leaves them out.
    expect(fleet.versions[0]!.counts).toEqual({ applied: 0, rejected: 0, superseded: 0, pending: 0 });
    expect((await t.store.fleet('f/gone', { goneWithinMs: 0 })).instances).toEqual([]);
    // Registering again (same id) brings it back, live.
    await t.store.registerInstance(leaving);
    expect((await t.store.fleet('f/gone', { goneWithinMs: 0 })).instances.map((i) => i.id)).toEqual([
      leaving.id,
    ]);
  });

  it('keeps outcomes for the newest 100 versions per key, and prunes instances silent for a day', async () => {
    const reg = instance('f/bounded');
    await t.store.registerInstance(reg);
    for (const version of [1, 2, 101, 102])
      await t.store.reportOutcome({ instanceId: reg.id, key: 'f/bounded', version, outcome: 'noop' });
    const { rows } = await t.db.pool.query<{ version: number }>(
      `select version from ${t.db.schema}.outcomes where key = 'f/bounded' order by version`,
    );
    expect(rows.map((r) => r.version)).toEqual([101, 102]);

    await t.db.pool.query(
      `update ${t.db.schema}.instances set expires_at = now() - interval '25 hours' where id = $1`,
      [reg.id],
    );
    await t.store.registerInstance(instance('f/bounded'));
    const left = await t.db.pool.query(`select 1 from ${t.db.schema}.instances where id = $1`, [reg.id]);
    expect(left.rowCount).toBe(0);
    const outcomes = await t.db.pool.query(`select 1 from ${t.db.schema}.outcomes where instance_id = $1`, [
      reg.id,
    ]);
    expect(outcomes.rowCount).toBe(0);
  });

  it('bounds what a report carries: error cut to 1,000 characters, 10 issues of at most 500', async () => {
    const reg = instance('f/big');
    await t.store.registerInstance(reg);
    await t.store.reportOutcome({
      instanceId: reg.id,
      key: 'f/big',
      version: 1,
      outcome: 'rejected',
      error: 'e'.repeat(5000),
      issues: Array.from({ length: 50 }, (_, i) => ({ path: `p${i}`, message: 'm'.repeat(2000) })),
    });
    const { rows } = await t.db.pool.query<{ error: string; issues: { message: string }[] }>(
      `select error, issues from ${t.db.schema}.outcomes where key = 'f/big'`,
    );
    expect(rows[0]!.error).toHaveLength(1000);
    expect(rows[0]!.issues).toHaveLength(10);
    expect(rows[0]!.issues[0]!.message).toHaveLength(500);
  });

  it('refuses a report for an unknown instance, writing nothing', async () => {
    const error = await t.store
      .reportOutcome({ instanceId: 'nobody', key: 'f/unknown', version: 1, outcome: 'full' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownInstanceError);
    expect(error).toMatchObject({ code: 'CFG_PG_UNKNOWN_INSTANCE', instanceId: 'nobody' });
    const { rowCount } = await t.db.pool.query(
      `select 1 from ${t.db.schema}.outcomes where key = 'f/unknown'`,
    );
    expect(rowCount).toBe(0);
  });

  it('checks registrations and reports before any SQL runs', async () => {
    const ok = instance('f/checks');
    await expect(t.store.registerInstance({ ...ok, id: 'has space' })).rejects.toThrow(TypeError);
    await expect(t.store.registerInstance({ ...ok, key: 'bad key' })).rejects.toThrow(InvalidKeyError);
    await expect(t.store.registerInstance({ ...ok, labels: { 'no space': 'x' } })).rejects.toThrow(
      /label name/,
    );
    await expect(
      t.store.registerInstance({
        ...ok,
        labels: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`l${i}`, 'x'])),
      }),
    ).rejects.toThrow(/at most 32 labels/);
    await expect(t.store.registerInstance({ ...ok, host: '' })).rejects.toThrow(/host/);
    await expect(
      t.store.reportOutcome({ instanceId: ok.id, key: 'f/checks', version: 0, outcome: 'full' }),
    ).rejects.toThrow(RangeError);
    await expect(
      // @ts-expect-error: not an outcome
      t.store.reportOutcome({ instanceId: ok.id, key: 'f/checks', version: 1, outcome: 'done' }),
    ).rejects.toThrow(/outcome must be one of/);
  });
});

describe('rolloutStatus()', () => {
  it('the report decides; without one, the version the instance runs does', () => {
    expect(rolloutStatus(1, 'rejected', 2)).toBe('rejected');
    expect(rolloutStatus(3, 'superseded', 2)).toBe('superseded');
    expect(rolloutStatus(2, 'noop', 2)).toBe('applied');
    expect(rolloutStatus(2, undefined, 2)).toBe('applied');
    expect(rolloutStatus(3, undefined, 2)).toBe('superseded');
    expect(rolloutStatus(1, undefined, 2)).toBe('pending');
    expect(rolloutStatus(null, undefined, 2)).toBe('pending');
  });
});

describe('waitForRollout()', () => {
  it('is woken by the outcome NOTIFY, long before its next poll', async () => {
    await versions('w/notify', 2);
    const a = instance('w/notify', { version: 1 });
    const b = instance('w/notify', { version: 1 });
    await t.store.registerInstance(a);
    await t.store.registerInstance(b);
    const progress: string[] = [];
    const started = performance.now();
    const waiting = t.store.waitForRollout('w/notify', 2, {
      timeoutMs: 20_000,
      pollIntervalMs: 60_000,
      onProgress: (r) => progress.push(r.state),
    });
    await until(
      async () => progress.length,
      (n) => n >= 1,
    );
    await t.store.reportOutcome({ instanceId: a.id, key: 'w/notify', version: 2, outcome: 'partial' });
    await t.store.reportOutcome({ instanceId: b.id, key: 'w/notify', version: 2, outcome: 'partial' });
    const rollout = await waiting;
    expect(rollout.state).toBe('complete');
    expect(rollout.instances.map((i) => i.status)).toEqual(['applied', 'applied']);
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(progress[0]).toBe('pending');
  });

  it('returns at the first rejection, even with instances still pending', async () => {
    await versions('w/reject', 2);
    const a = instance('w/reject', { version: 1 });
    const b = instance('w/reject', { version: 1 });
    await t.store.registerInstance(a);
    await t.store.registerInstance(b);
    const waiting = t.store.waitForRollout('w/reject', 2, { timeoutMs: 20_000, pollIntervalMs: 60_000 });
    await t.store.reportOutcome({
      instanceId: b.id,
      key: 'w/reject',
      version: 2,
      outcome: 'rejected',
      errorCode: 'CFG_VALIDATION',
    });
    const rollout = await waiting;
    expect(rollout.state).toBe('rejected');
    expect(rollout.instances.map((i) => [i.instance.id, i.status])).toEqual([
      [a.id, 'pending'],
      [b.id, 'rejected'],
    ]);
  });

  it('polls as the safety net: an instance that stops (no NOTIFY) no longer holds the rollout', async () => {
    await versions('w/poll', 2);
    const stays = instance('w/poll', { version: 2 });
    const stops = instance('w/poll', { version: 1 });
    await t.store.registerInstance(stays);
    await t.store.registerInstance(stops);
    const progress: string[] = [];
    const waiting = t.store.waitForRollout('w/poll', 2, {
      timeoutMs: 20_000,
      pollIntervalMs: 20,
      onProgress: (r) => progress.push(r.state),
    });
    await until(
      async () => progress.length,
      (n) => n >= 1,
    );
    await t.store.deregisterInstance(stops.id);
    const rollout = await waiting;
    expect(rollout.state).toBe('complete');
    expect(rollout.instances.map((i) => i.instance.id)).toEqual([stays.id]);
  });

  it('gives up after timeoutMs with the rollout as it stands, naming the pending instances', async () => {
    await versions('w/timeout', 2);
    const slow = instance('w/timeout', { version: 1 });
    await t.store.registerInstance(slow);
    const rollout = await t.store.waitForRollout('w/timeout', 2, { timeoutMs: 100, pollIntervalMs: 30 });
    expect(rollout.state).toBe('pending');
    expect(rollout.instances.map((i) => [i.instance.id, i.status])).toEqual([[slow.id, 'pending']]);
  });

  it('with no live instance, is complete at once', async () => {
    await versions('w/empty', 1);
    expect(await t.store.waitForRollout('w/empty', 1, { timeoutMs: 5000 })).toMatchObject({
      state: 'complete',
      instances: [],
    });
  });

  it('stops waiting when its signal aborts', async () => {
    await versions('w/abort', 2);
    await t.store.registerInstance(instance('w/abort', { version: 1 }));
    const controller = new AbortController();
    const waiting = t.store.waitForRollout('w/abort', 2, {
      timeoutMs: 20_000,
      pollIntervalMs: 60_000,
      signal: controller.signal,
    });
    controller.abort(new Error('user gave up'));
    await expect(waiting).rejects.toThrow('user gave up');
  });
});

describe('subscribeFleet()', () => {
  it('hears every outcome report on its own channel; a stray payload goes to onError', async () => {
    const notices: FleetNotice[] = [];
    const stray = deferred<Error>();
    const stop = await t.store.subscribeFleet((n) => notices.push(n), { onError: (e) => stray.resolve(e) });
    const reg = instance('s/notify');
    await t.store.registerInstance(reg);
    await t.store.reportOutcome({ instanceId: reg.id, key: 's/notify', version: 4, outcome: 'full' });
    await until(
      async () => notices.length,
      (n) => n === 1,
    );
    expect(notices).toEqual([{ key: 's/notify', version: 4, instanceId: reg.id, outcome: 'full' }]);
    await t.db.pool.query(`select pg_notify($1, 'not json')`, [`${t.db.schema}_fleet`]);
    expect(await stray.promise).toBeInstanceOf(InvalidNoticeError);
    await stop();
  });

  it('reportOutcomes(): a burst in one call, as reportOutcome one by one would leave it, each report notified', async () => {
    const key = 'f/batch';
    await versions(key, 6);
    const notices: FleetNotice[] = [];
    const stop = await t.store.subscribeFleet((n) => n.key === key && notices.push(n));
    const reg = instance(key, { version: 1 });
    await t.store.registerInstance(reg);
    const report = (version: number, outcome: FleetNotice['outcome']) => ({
      instanceId: reg.id,
      key,
      version,
      outcome,
      hash: `h${version}`,
    });
    // 3 rejected, then applied (the last report of a version wins); 5 applied; 6 rejected.
    await t.store.reportOutcomes([
      report(2, 'partial'),
      report(3, 'rejected'),
      report(3, 'full'),
      report(4, 'superseded'),
      report(5, 'partial'),
      report(6, 'rejected'),
    ]);
    const [me] = (await t.store.fleet(key)).instances;
    expect(me).toMatchObject({ version: 5, hash: 'h5', lastOutcome: { version: 6, outcome: 'rejected' } });
    const outcomes = await Promise.all(
      [2, 3, 4, 5, 6].map(async (v) => (await t.store.rollout(key, v)).instances[0]!.outcome?.outcome),
    );
    expect(outcomes).toEqual(['partial', 'full', 'superseded', 'partial', 'rejected']);
    await until(
      async () => notices.length,
      (n) => n === 5,
    );
    expect(notices.map((n) => [n.version, n.outcome])).toEqual([
      [2, 'partial'],
      [3, 'full'],
      [4, 'superseded'],
      [5, 'partial'],
      [6, 'rejected'],
    ]);
    // A batch of an older version only leaves what it runs alone.
    await t.store.reportOutcomes([report(4, 'full')]);
    expect((await t.store.fleet(key)).instances[0]).toMatchObject({ version: 5, hash: 'h5' });
    await stop();
  });

  it('reportOutcomes() refuses mixed instances, too many reports, and an unknown instance (nothing written)', async () => {
    const a = instance('f/batch-refused');
    const b = instance('f/batch-refused');
    await t.store.registerInstance(a);
    await t.store.registerInstance(b);
    const of = (id: string, version: number) =>
      ({ instanceId: id, key: 'f/batch-refused', version, outcome: 'full' }) as const;
    await expect(t.store.reportOutcomes([of(a.id, 1), of(b.id, 2)])).rejects.toThrow(TypeError);
    const many = Array.from({ length: 101 }, (_, i) => of(a.id, i + 1));
    await expect(t.store.reportOutcomes(many)).rejects.toThrow(RangeError);
    await expect(t.store.reportOutcomes([of('test-nobody', 1)])).rejects.toThrow(UnknownInstanceError);
    await t.store.reportOutcomes([]);
    expect((await t.store.rollout('f/batch-refused', 1)).instances.every((i) => !i.outcome)).toBe(true);
  });

  it('document subscribers never see outcome reports (separate channels)', async () => {
    const store = new PgConfigStore(t.db.pool, { schema: t.db.schema });
    const errors: Error[] = [];
    const seen: unknown[] = [];
    const stop = await store.subscribe((n) => seen.push(n), { onError: (e) => errors.push(e) });
    const reg = instance('s/separate');
    await store.registerInstance(reg);
    await store.reportOutcome({ instanceId: reg.id, key: 's/separate', version: 1, outcome: 'full' });
    await store.putDocument('s/separate-doc', 'x');
    await until(
      async () => seen.length,
      (n) => n === 1,
    );
    expect(errors).toEqual([]);
    await stop();
  });
});
