import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_MIGRATION, PgConfigStore, SchemaTooNewError } from '../src/index.js';
import { MIGRATIONS } from '../src/migrations.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema({ poolSize: 6 });
});
afterAll(() => db.drop());

const ALL_TABLES = ['documents', 'history', 'instances', 'migrations', 'outcomes'];

async function tablesIn(schema: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ name: string }>(
    `select table_name as name from information_schema.tables where table_schema = $1 order by 1`,
    [schema],
  );
  return rows.map((r) => r.name);
}

describe('migrate()', () => {
  it('run concurrently from 5 clients: no error, applied once, one set of tables', async () => {
    const schema = `${db.schema}_race`;
    const stores = Array.from({ length: 5 }, () => new PgConfigStore(db.pool, { schema }));
    const results = await Promise.all(stores.map((store) => store.migrate()));
    expect(results.flatMap((r) => r.applied).sort()).toEqual([1, 2]);
    expect(results.every((r) => r.current === LATEST_MIGRATION)).toBe(true);
    expect(await tablesIn(schema)).toEqual(ALL_TABLES);
    const { rows } = await db.pool.query(`select id from ${schema}.migrations order by id`);
    expect(rows).toEqual([{ id: 1 }, { id: 2 }]);
    await db.pool.query(`drop schema ${schema} cascade`);
  });

  it('is idempotent, and works in an existing empty schema', async () => {
    const store = new PgConfigStore(db.pool, { schema: db.schema });
    expect(await store.migrate()).toEqual({ applied: [1, 2], current: 2 });
    expect(await store.migrate()).toEqual({ applied: [], current: 2 });
    expect((await store.putDocument('a', 'x')).version).toBe(1);
  });

  it('quotes a schema name that needs it', async () => {
    const schema = `Cfg_${db.schema}_Mixed`;
    const store = new PgConfigStore(db.pool, { schema });
    await store.migrate();
    expect(await tablesIn(schema)).toEqual(ALL_TABLES);
    expect((await store.putDocument('k', 'v')).version).toBe(1);
    expect((await store.getDocument('k'))?.data).toBe('v');
    await db.pool.query(`drop schema "${schema}" cascade`);
  });

  it('refuses a schema migrated by a newer version of this package', async () => {
    const store = new PgConfigStore(db.pool, { schema: db.schema });
    await db.pool.query(`insert into ${db.schema}.migrations (id) values ($1)`, [LATEST_MIGRATION + 1]);
    const error = await store.migrate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect(error).toMatchObject({
      code: 'CFG_PG_SCHEMA_TOO_NEW',
      applied: LATEST_MIGRATION + 1,
      known: LATEST_MIGRATION,
    });
    expect((error as Error).message).toMatch(/upgrade @cfg\/pg-store/);
    await db.pool.query(`delete from ${db.schema}.migrations where id = $1`, [LATEST_MIGRATION + 1]);
  });

  it('upgrades a schema at migration 1 to 2, keeping its documents', async () => {
    const schema = `${db.schema}_v1`;
    const store = new PgConfigStore(db.pool, { schema });
    // A schema as the previous release left it: migration 1 only.
    await db.pool.query(`create schema ${schema}`);
    await db.pool.query(
      `create table ${schema}.migrations (id integer primary key, applied_at timestamptz not null default now())`,
    );
    await db.pool.query(`insert into ${schema}.migrations (id) values (1)`);
    await db.pool.query(MIGRATIONS[0]!.text.replace(/:CFG_SCHEMA\b/g, schema));
    await store.putDocument('kept', 'modules: []\n');
    expect(await store.migrate()).toEqual({ applied: [2], current: 2 });
    expect(await tablesIn(schema)).toEqual(ALL_TABLES);
    expect((await store.getDocument('kept'))?.version).toBe(1);
    await db.pool.query(`drop schema ${schema} cascade`);
  });

  it('a failing migration leaves nothing behind', async () => {
    const schema = `${db.schema}_broken`;
    // The tables exist already, so migration 1 fails half-way: its migrations row must roll back too.
    await db.pool.query(`create schema ${schema}; create table ${schema}.history (x int)`);
    const store = new PgConfigStore(db.pool, { schema });
    await expect(store.migrate()).rejects.toMatchObject({ code: '42P07' });
    expect(await tablesIn(schema)).toEqual(['history']);
    await db.pool.query(`drop schema ${schema} cascade`);
  });
});
