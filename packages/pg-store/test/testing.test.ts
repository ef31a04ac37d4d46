import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, createTestSchema, testDatabaseUrl } from '../src/testing/index.js';

describe('@cfg/pg-store/testing', () => {
  it('hands the chosen server URL to test files', async () => {
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    const { rows } = await client.query<{ one: number }>('select 1 as one');
    await client.end();
    expect(rows[0]?.one).toBe(1);
  });

  it('createTestSchema makes a fresh random schema and drop() removes it', async () => {
    const a = await createTestSchema();
    const b = await createTestSchema();
    expect(a.schema).not.toBe(b.schema);
    expect(a.schema).toMatch(/^cfg_test_[0-9a-f]{12}$/);
    const exists = async (schema: string) =>
      (await b.pool.query('select 1 from pg_namespace where nspname = $1', [schema])).rowCount;
    expect(await exists(a.schema)).toBe(1);
    await a.drop();
    expect(await exists(a.schema)).toBe(0);
    await b.drop();
  });

  it('createTestDatabase makes a database reachable at its url and drop() removes it', async () => {
    const db = await createTestDatabase();
    const client = new pg.Client({ connectionString: db.url });
    const terminated = new Promise<Error>((resolve) => client.on('error', resolve));
    await client.connect();
    const { rows } = await client.query<{ name: string }>('select current_database() as name');
    expect(rows[0]?.name).toBe(db.database);
    await db.drop(); // with the client still connected: drop forces it out
    expect((await terminated).message).toMatch(/terminat/);
    const admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    const left = await admin.query('select 1 from pg_database where datname = $1', [db.database]);
    await admin.end();
    expect(left.rowCount).toBe(0);
  });
});
