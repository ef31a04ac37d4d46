import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigNotFoundError, DatabaseSource, FileSource, firstUsable, hashBytes } from '@cfg/source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, deferred, type TestStore } from './helpers.js';

const V1 = 'modules:\n  - name: http\n    type: http.server\n    config: { port: 8080 }\n';
const V2 = 'modules:\n  - name: http\n    type: http.server\n    config: { port: 9090 }\n';

let t: TestStore;
beforeAll(async () => {
  t = await createTestStore();
});
afterAll(() => t.db.drop());

describe('DatabaseSource over PgConfigStore', () => {
  it('a change changes hash(), and load() returns it at once despite a long cache TTL', async () => {
    await t.store.putDocument('app', V1);
    const source = new DatabaseSource(t.store, { key: 'app', cacheTtlMs: 60_000 });
    const first = await source.load();
    expect(first).toMatchObject({ hash: hashBytes(V1), version: 1, source: 'database:app' });
    expect(first.config.modules[0]?.config).toEqual({ port: 8080 });

    await t.store.putDocument('app', V2, { actor: 'test' });
    expect(await source.hash()).toBe(hashBytes(V2));
    const second = await source.load();
    expect(second).toMatchObject({ hash: hashBytes(V2), version: 2 });
    expect(second.config.modules[0]?.config).toEqual({ port: 9090 });
  });

  it('hashes like FileSource: the same bytes in a file and in the store hash the same', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cfg-pg-store-'));
    const path = join(dir, 'config.yaml');
    await writeFile(path, V2);
    const file = new FileSource(path);
    const db = new DatabaseSource(t.store, { key: 'app' });
    expect(await db.hash()).toBe(await file.hash());
    expect((await db.load()).hash).toBe((await file.load()).hash);
    await rm(dir, { recursive: true, force: true });
  });

  it('push hints arrive for its own key only', async () => {
    const source = new DatabaseSource(t.store, { key: 'app' });
    const hinted = deferred();
    let hints = 0;
    const unsubscribe = source.subscribe!(() => {
      hints++;
      hinted.resolve();
    });
    // The store notifies in commit order, so the hint for `app` comes after the one for `other`.
    const seen = deferred();
    const stopWatching = await t.store.subscribe((n) => n.key === 'app' && seen.resolve());
    await t.store.putDocument('other', 'modules: []\n');
    await t.store.putDocument('app', V1);
    await seen.promise;
    await hinted.promise;
    expect(hints).toBe(1);
    unsubscribe();
    await stopWatching();
  });

  it('a deleted document is ConfigNotFoundError', async () => {
    await t.store.putDocument('gone', V1);
    const source = new DatabaseSource(t.store, { key: 'gone' });
    await t.store.deleteDocument('gone');
    await expect(source.load()).rejects.toBeInstanceOf(ConfigNotFoundError);
    await expect(source.hash()).rejects.toBeInstanceOf(ConfigNotFoundError);
  });

  it("walks back over the store's history: firstUsable finds the newest version that parses", async () => {
    await t.store.putDocument('walk', V1);
    await t.store.putDocument('walk', 'modules: [\n');
    await t.store.putDocument('walk', 'modules: {}\n');
    const source = new DatabaseSource(t.store, { key: 'walk' });
    const { snapshot, skipped } = await firstUsable(source.versions());
    expect(snapshot).toMatchObject({ version: 1, hash: hashBytes(V1), source: 'database:walk' });
    expect(skipped.map((s) => [s.version, s.code])).toEqual([
      [3, 'CFG_PARSE'],
      [2, 'CFG_PARSE'],
    ]);
  });

  it('a key never written: versions() hands out the source itself, whose load says not found', async () => {
    const source = new DatabaseSource(t.store, { key: 'never-written' });
    await expect(firstUsable(source.versions())).rejects.toBeInstanceOf(ConfigNotFoundError);
  });
});
