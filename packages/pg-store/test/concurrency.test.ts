import { hashBytes } from '@cfg/source';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgConfigStore, VersionConflictError } from '../src/index.js';
import { createTestStore, type TestStore } from './helpers.js';

const WRITERS = 20;

let t: TestStore;
beforeAll(async () => {
  t = await createTestStore({ poolSize: WRITERS + 1 });
});
afterAll(() => t.db.drop());

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function historyRows(key: string) {
  const { rows } = await t.db.pool.query<{ version: number; hash: string | null }>(
    `select version, hash from ${t.db.schema}.history where key = $1 order by version`,
    [key],
  );
  return rows;
}

describe('concurrent writers on one key', () => {
  it(`${WRITERS} concurrent puts on a new key get versions 1..${WRITERS} exactly, history complete`, async () => {
    const datas = range(1, WRITERS).map((i) => `writer: ${i}\n`);
    const results = await Promise.all(datas.map((data) => t.store.putDocument('hot/new', data)));
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(range(1, WRITERS));
    expect(results.every((r) => r.changed)).toBe(true);
    const history = await historyRows('hot/new');
    expect(history.map((r) => r.version)).toEqual(range(1, WRITERS));
    // Each writer's version holds that writer's bytes.
    for (const result of results) expect(history[result.version - 1]?.hash).toBe(hashBytes(result.data));
    const current = await t.store.getDocument('hot/new');
    expect(current?.version).toBe(WRITERS);
    expect(current?.hash).toBe(history.at(-1)?.hash);
  });

  it('with expectedVersion = current, exactly one writer wins per round', async () => {
    await t.store.putDocument('hot/cas', 'round: 0');
    for (let round = 1; round <= 5; round++) {
      const settled = await Promise.allSettled(
        range(1, WRITERS).map((i) =>
          t.store.putDocument('hot/cas', `round: ${round}, writer: ${i}`, { expectedVersion: round }),
        ),
      );
      const winners = settled.filter((s) => s.status === 'fulfilled');
      const losers = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(WRITERS - 1);
      for (const error of losers) {
        expect(error).toBeInstanceOf(VersionConflictError);
        expect(error).toMatchObject({ expected: round, actual: round + 1 });
      }
    }
    expect((await historyRows('hot/cas')).map((r) => r.version)).toEqual(range(1, 6));
  });

  it('concurrent create-only writers: exactly one creates version 1', async () => {
    const settled = await Promise.allSettled(
      range(1, WRITERS).map((i) => t.store.putDocument('hot/create-once', `${i}`, { expectedVersion: 0 })),
    );
    const winners = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    expect(winners.map((w) => w.version)).toEqual([1]);
    for (const s of settled) {
      if (s.status === 'rejected') expect(s.reason).toMatchObject({ expected: 0, actual: 1 });
    }
    expect(await historyRows('hot/create-once')).toHaveLength(1);
  });

  it('concurrent identical writes on a new key create one version; the rest are no-ops', async () => {
    const results = await Promise.all(range(1, WRITERS).map(() => t.store.putDocument('hot/same', 'same')));
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.version))).toEqual(new Set([1]));
    expect(await historyRows('hot/same')).toHaveLength(1);
  });

  it('concurrent re-creators of a deleted key continue the sequence without duplicates', async () => {
    await t.store.putDocument('hot/again', 'one');
    await t.store.deleteDocument('hot/again');
    const results = await Promise.all(
      range(1, WRITERS).map((i) => t.store.putDocument('hot/again', `again ${i}`)),
    );
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(range(3, WRITERS + 2));
    expect((await historyRows('hot/again')).map((r) => r.version)).toEqual(range(1, WRITERS + 2));
  });

  it('a delete racing writers never leaves a gap or a duplicate', async () => {
    await t.store.putDocument('hot/mixed', 'start');
    const writes = range(1, WRITERS).map((i) =>
      i === WRITERS / 2 ? t.store.deleteDocument('hot/mixed') : t.store.putDocument('hot/mixed', `w${i}`),
    );
    await Promise.allSettled(writes);
    const versions = (await historyRows('hot/mixed')).map((r) => r.version);
    expect(versions).toEqual(range(1, versions.length));
    expect(versions.length).toBeGreaterThanOrEqual(WRITERS);
  });

  it('stays correct when the server default isolation is SERIALIZABLE', async () => {
    const pool = new pg.Pool({
      connectionString: t.db.url,
      max: WRITERS,
      options: '-c default_transaction_isolation=serializable',
    });
    const store = new PgConfigStore(pool, { schema: t.db.schema });
    const { rows } = await pool.query<{ level: string }>(
      "select current_setting('transaction_isolation') as level",
    );
    expect(rows[0]?.level).toBe('serializable');
    await store.putDocument('hot/serializable', 'start');
    const results = await Promise.all(
      range(1, WRITERS).map((i) => store.putDocument('hot/serializable', `writer ${i}`)),
    );
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(range(2, WRITERS + 1));
    expect((await historyRows('hot/serializable')).map((r) => r.version)).toEqual(range(1, WRITERS + 1));
    await pool.end();
  });
});
