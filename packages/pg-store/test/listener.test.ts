import { hashBytes } from '@cfg/source';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidNoticeError, ListenConnectionError, PgConfigStore } from '../src/index.js';
import { startProxy } from '../src/testing/proxy.js';
import { createTestStore, deferred, recordNotices, type TestStore } from './helpers.js';

let t: TestStore;
beforeAll(async () => {
  t = await createTestStore();
});
afterAll(() => t.db.drop());

/** Backend pids currently LISTENing on the store's channel (the last query of a LISTEN client). */
async function listenerPids(channel: string): Promise<number[]> {
  const { rows } = await t.db.pool.query<{ pid: number }>(
    'select pid from pg_stat_activity where query = $1',
    [`listen "${channel}"`],
  );
  return rows.map((r) => r.pid);
}

describe('subscribe()', () => {
  it('a committed put notifies with the right op, key, version and hash', async () => {
    const rec = await recordNotices(t.store);
    await t.store.putDocument('n/a', 'one');
    const two = await t.store.putDocument('n/a', 'two');
    expect(await rec.next((n) => n.version === 2)).toEqual({
      op: 'update',
      key: 'n/a',
      version: 2,
      hash: two.hash,
    });
    await t.store.rollback('n/a', 1);
    await t.store.deleteDocument('n/a');
    expect(await rec.next((n) => n.op === 'delete')).toEqual({
      op: 'delete',
      key: 'n/a',
      version: 4,
      hash: '',
    });
    expect(rec.notices.map((n) => `${n.version}:${n.op}`)).toEqual([
      '1:create',
      '2:update',
      '3:rollback',
      '4:delete',
    ]);
    expect(rec.notices[2]?.hash).toBe(hashBytes('one'));
    await rec.stop();
  });

  it('an identical write notifies nobody', async () => {
    const rec = await recordNotices(t.store);
    await t.store.putDocument('n/same', 'x');
    await t.store.putDocument('n/same', 'x');
    await t.store.putDocument('n/same', 'y');
    await rec.next((n) => n.key === 'n/same' && n.version === 2);
    expect(rec.notices.filter((n) => n.key === 'n/same').map((n) => n.version)).toEqual([1, 2]);
    await rec.stop();
  });

  it('a transaction that rolls back after its NOTIFY notifies nobody', async () => {
    // A deferred constraint trigger fails at COMMIT, after the write statement (and its pg_notify) ran.
    await t.db.pool.query(`
      create function ${t.db.schema}.refuse() returns trigger language plpgsql as
        $$ begin raise exception 'refused at commit'; end $$;
      create constraint trigger refuse_doomed after insert on ${t.db.schema}.history
        deferrable initially deferred for each row when (new.key = 'n/doomed')
        execute function ${t.db.schema}.refuse();`);
    const rec = await recordNotices(t.store);
    await expect(t.store.putDocument('n/doomed', 'never')).rejects.toThrow(/refused at commit/);
    expect(await t.store.getDocument('n/doomed')).toBeNull();
    await t.store.putDocument('n/after-doomed', 'fine');
    // Notices arrive in commit order: once the later write's notice is here, the doomed one never comes.
    await rec.next((n) => n.key === 'n/after-doomed');
    expect(rec.notices.map((n) => n.key)).toEqual(['n/after-doomed']);
    await rec.stop();
  });

  it('shares one LISTEN connection between subscribers; the last unsubscribe releases it', async () => {
    const a = await recordNotices(t.store);
    const b = await recordNotices(t.store);
    expect(await listenerPids(t.store.channel)).toHaveLength(1);
    await t.store.putDocument('n/shared', 'x');
    expect((await a.next((n) => n.key === 'n/shared')).version).toBe(1);
    expect((await b.next((n) => n.key === 'n/shared')).version).toBe(1);
    await a.stop();
    await a.stop(); // idempotent
    expect(await listenerPids(t.store.channel)).toHaveLength(1);
    await b.stop();
    expect(await listenerPids(t.store.channel)).toHaveLength(0);
    // And it comes back for the next subscriber.
    const c = await recordNotices(t.store);
    expect(await listenerPids(t.store.channel)).toHaveLength(1);
    await c.stop();
  });

  it('reports payloads that are not change notices to onError and keeps listening', async () => {
    const errors: Error[] = [];
    const gotError = deferred();
    const rec = await recordNotices(t.store, {
      onError: (error) => {
        errors.push(error);
        gotError.resolve();
      },
    });
    await t.db.pool.query('select pg_notify($1, $2)', [t.store.channel, '{"key":"x; drop","version":1}']);
    await gotError.promise;
    expect(errors[0]).toBeInstanceOf(InvalidNoticeError);
    await t.store.putDocument('n/valid', 'x');
    await rec.next((n) => n.key === 'n/valid');
    expect(rec.notices.map((n) => n.key)).toEqual(['n/valid']);
    await rec.stop();
  });

  it('a listener that throws is logged and does not stop the others', async () => {
    const logged: unknown[] = [];
    const log = () => undefined;
    const logger = {
      debug: log,
      info: log,
      warn: log,
      error: (obj: Record<string, unknown>) => logged.push(obj.err),
    };
    const store = new PgConfigStore(t.db.pool, { schema: t.db.schema, logger });
    const stopThrower = await store.subscribe(() => {
      throw new Error('listener bug');
    });
    const rec = await recordNotices(store);
    await t.store.putDocument('n/throw', 'x');
    expect((await rec.next((n) => n.key === 'n/throw')).version).toBe(1);
    expect(logged).toEqual([new Error('listener bug')]);
    await stopThrower();
    await rec.stop();
  });

  it('after pg_terminate_backend: onReconnect, then notifications again', async () => {
    const reconnected = deferred();
    const errors: Error[] = [];
    const rec = await recordNotices(t.store, {
      onReconnect: () => reconnected.resolve(),
      onError: (error) => errors.push(error),
    });
    const [pid] = await listenerPids(t.store.channel);
    expect(pid).toBeTypeOf('number');
    await t.db.pool.query('select pg_terminate_backend($1)', [pid]);
    await reconnected.promise;
    expect(errors[0]).toBeInstanceOf(ListenConnectionError);
    const [newPid] = await listenerPids(t.store.channel);
    expect(newPid).not.toBe(pid);
    await t.store.putDocument('n/after-kill', 'x');
    expect((await rec.next((n) => n.key === 'n/after-kill')).version).toBe(1);
    await rec.stop();
  });

  it('resolves after a failed first attempt, retries, and calls onReconnect once connected', async () => {
    const proxy = await startProxy(new URL(t.db.url));
    const pool = new pg.Pool({ connectionString: proxy.url, max: 2 });
    const store = new PgConfigStore(pool, {
      schema: t.db.schema,
      reconnectDelayMs: 20,
      maxReconnectDelayMs: 50,
    });
    const errors: Error[] = [];
    const reconnected = deferred();
    // The proxy refuses connections: the first attempt fails, and subscribe resolves anyway.
    const rec = await recordNotices(store, {
      onError: (error) => errors.push(error),
      onReconnect: () => reconnected.resolve(),
    });
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]).toMatchObject({ code: 'CFG_PG_LISTEN', channel: store.channel });
    await proxy.open();
    await reconnected.promise;
    await t.store.putDocument('n/late', 'x'); // written through the direct pool, heard through the proxy
    expect((await rec.next((n) => n.key === 'n/late')).version).toBe(1);
    await rec.stop();
    await pool.end();
    await proxy.close();
  });
});
