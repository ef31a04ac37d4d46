/**
 * What keeping stored YAML human costs on the write path.
 * Run: pnpm --filter @cfg/server bench   (uses the same PostgreSQL as the tests)
 */
import { PgConfigStore } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import { DatabaseSource, openConfigText, setModuleConfig } from '@cfg/source';
import { afterAll, bench, describe } from 'vitest';
import { parse, stringify } from 'yaml';
import { WholeDocument } from '../../src/writers/document-layout.js';
import { StoredWriter } from '../../src/writers/stored-writer.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';

/** A commented YAML config of `n` rate limiters (the example's style: a comment above each). */
function yamlConfig(n: number): string {
  const modules = Array.from(
    { length: n },
    (_, i) =>
      `  # limiter number ${i}\n  - name: g${i}\n    type: rate-limiter\n    config:\n      rps: ${i + 1} # inline\n`,
  );
  return `# ${n} modules\nmodules:\n${modules.join('')}`;
}

for (const n of [5, 100, 1000]) {
  const text = yamlConfig(n);
  const json = JSON.stringify(parse(text));
  const target = `g${Math.floor(n / 2)}`;
  let i = 0;
  describe(`set one module's config in a ${n}-module document (${(text.length / 1024).toFixed(1)} KiB)`, () => {
    const open = openConfigText(text);
    bench(
      "the server's open copy: splice the module's config lines, read the value (every write after the first)",
      () => {
        open.setModuleConfig(target, { rps: i++ + 1 });
        open.toString();
        open.toValue();
      },
    );
    bench('open the text, then splice (the first write, or after another writer moved the document)', () => {
      setModuleConfig(text, target, { rps: i++ + 1 });
    });
    bench('yaml parse + stringify (comments lost)', () => {
      const value = parse(text) as { modules: { name: string; config: unknown }[] };
      value.modules.find((m) => m.name === target)!.config = { rps: i++ + 1 };
      stringify(value);
    });
    bench('JSON document (JSON.parse + JSON.stringify)', () => {
      setModuleConfig(json, target, { rps: i++ + 1 });
    });
  });
}

/** The whole write path, set up once at load time (benchmark mode runs no beforeAll hooks). */
async function databaseApp(): Promise<{ test: TestApp; db: TestSchema }> {
  const db = await createTestSchema({ poolSize: 4 });
  const store = new PgConfigStore(db.pool, { schema: db.schema });
  await store.migrate();
  await store.putDocument('default', yamlConfig(100));
  const source = new DatabaseSource(store, { key: 'default' });
  const writer = new StoredWriter({
    mode: 'database',
    store,
    key: 'default',
    layout: new WholeDocument('db'),
    source,
  });
  const initial = await source.load();
  return { db, test: await buildTestApp({ config: initial.config, writer }) };
}

const { db, test } = await databaseApp();
afterAll(async () => {
  await test.app.close();
  await test.runtime.close();
  await db.drop();
});

describe('PUT /api/v1/modules/:name/config, database mode, whole round trip (inject + PostgreSQL)', () => {
  let i = 0;
  bench(
    '100-module YAML document: edit the open copy, validate, write a version, apply',
    async () => {
      const res = await test.app.inject({
        method: 'PUT',
        url: '/api/v1/modules/g50/config',
        headers: test.admin,
        payload: { rps: i++ + 1 },
      });
      if (res.statusCode !== 200) throw new Error(res.body);
    },
    { iterations: 200 },
  );
});
