import { hashBytes } from '@cfg/source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DocumentNotFoundError,
  InvalidKeyError,
  NotMigratedError,
  PgConfigStore,
  VersionConflictError,
} from '../src/index.js';
import { createTestStore, type TestStore } from './helpers.js';

let t: TestStore;
beforeAll(async () => {
  t = await createTestStore();
});
afterAll(() => t.db.drop());

/** Every version of `key`, oldest first, read straight from the table (not through the store). */
async function historyRows(key: string) {
  const { rows } = await t.db.pool.query<{ version: number; op: string; hash: string | null }>(
    `select version, op, hash from ${t.db.schema}.history where key = $1 order by version`,
    [key],
  );
  return rows;
}

describe('putDocument / getDocument', () => {
  it('creates version 1 and reads it back with its hash and actor', async () => {
    const put = await t.store.putDocument('crud/a', 'modules: []\n', { actor: 'alice', message: 'first' });
    expect(put).toMatchObject({ key: 'crud/a', version: 1, changed: true, updatedBy: 'alice' });
    expect(put.hash).toBe(hashBytes('modules: []\n'));
    const doc = await t.store.getDocument('crud/a');
    expect(doc).toEqual({
      key: 'crud/a',
      data: 'modules: []\n',
      hash: hashBytes('modules: []\n'),
      version: 1,
      updatedAt: put.updatedAt,
      updatedBy: 'alice',
    });
    expect(await t.store.getDocumentHash('crud/a')).toBe(put.hash);
  });

  it('increments the version on every change and records who and why', async () => {
    await t.store.putDocument('crud/b', 'v: 1');
    const second = await t.store.putDocument('crud/b', 'v: 2', { actor: 'bob', message: 'bump' });
    expect(second.version).toBe(2);
    const [latest] = await t.store.history('crud/b', { limit: 1 });
    expect(latest).toMatchObject({ version: 2, op: 'update', actor: 'bob', message: 'bump' });
    const [first] = await t.store.history('crud/b', { beforeVersion: 2 });
    expect(first).toMatchObject({ version: 1, op: 'create', actor: 'unknown', message: null });
  });

  it('writes nothing for identical bytes', async () => {
    const first = await t.store.putDocument('crud/same', 'a: 1\n');
    const again = await t.store.putDocument('crud/same', 'a: 1\n', { actor: 'someone-else' });
    expect(again).toMatchObject({ version: 1, changed: false, hash: first.hash, updatedBy: 'unknown' });
    expect(await historyRows('crud/same')).toHaveLength(1);
    // One byte of difference (a trailing newline) is a change.
    expect((await t.store.putDocument('crud/same', 'a: 1')).version).toBe(2);
  });

  it('returns null for a key that does not exist', async () => {
    expect(await t.store.getDocument('crud/missing')).toBeNull();
    expect(await t.store.getDocumentHash('crud/missing')).toBeNull();
  });

  it('round-trips quotes, unicode and 1 MiB byte-exactly', async () => {
    const tricky = `'; drop table documents; --\n"quoted" \\ back\\slash\ttab\r\nemoji 🦄 ünïcödé 漢字 \u2028\n`;
    const MiB = 1024 * 1024;
    const line = 'key: "value ü 漢 🦄 \'x\'"\n';
    const lines = line.repeat(Math.floor(MiB / Buffer.byteLength(line)));
    const big = lines + 'x'.repeat(MiB - Buffer.byteLength(lines));
    expect(Buffer.byteLength(big)).toBe(MiB);
    for (const [key, data] of [
      ['bytes/tricky', tricky],
      ['bytes/big', big],
    ] as const) {
      const put = await t.store.putDocument(key, data);
      const doc = await t.store.getDocument(key);
      expect(doc?.data === data).toBe(true);
      expect(Buffer.from(doc!.data).equals(Buffer.from(data))).toBe(true);
      expect(doc?.hash).toBe(hashBytes(Buffer.from(data, 'utf8')));
      expect(put.hash).toBe(doc?.hash);
      expect((await t.store.getVersion(key, 1)).data === data).toBe(true);
    }
  });
});

describe('keys', () => {
  const bad = [
    '',
    'a'.repeat(201),
    "x'; drop table documents; --",
    'x" or "1"="1',
    'a b',
    'a\nb',
    'a;b',
    '../etc/passwd\0',
    'ключ',
    'key%',
  ];

  it.each(bad)('rejects %j before any SQL runs', async (key) => {
    await expect(t.store.putDocument(key, 'x')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(t.store.getDocument(key)).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(t.store.history(key)).rejects.toMatchObject({ code: 'CFG_PG_INVALID_KEY' });
  });

  it('accepts the whole alphabet and 200 characters', async () => {
    const key = 'Az09._/-'.repeat(25);
    expect(key).toHaveLength(200);
    expect((await t.store.putDocument(key, 'ok')).version).toBe(1);
  });

  it('is also enforced by the database CHECK', async () => {
    await expect(
      t.db.pool.query(
        `insert into ${t.db.schema}.documents (key, data, hash, version, created_by, updated_by)
         values ('bad key', '', '', 1, 'x', 'x')`,
      ),
    ).rejects.toMatchObject({ code: '23514', constraint: 'documents_key_format' });
  });
});

describe('history and getVersion', () => {
  it('has every version, contiguous, newest first, paged with beforeVersion', async () => {
    for (let i = 1; i <= 7; i++) await t.store.putDocument('hist/a', `v: ${i}`);
    const all = await t.store.history('hist/a');
    expect(all.map((e) => e.version)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(all[0]).not.toHaveProperty('data');
    const page = await t.store.history('hist/a', { limit: 3, beforeVersion: 5 });
    expect(page.map((e) => e.version)).toEqual([4, 3, 2]);
    expect(await t.store.history('hist/a', { beforeVersion: 1 })).toEqual([]);
  });

  it('getVersion returns that version with its data', async () => {
    const v = await t.store.getVersion('hist/a', 3);
    expect(v).toMatchObject({
      key: 'hist/a',
      version: 3,
      op: 'update',
      data: 'v: 3',
      hash: hashBytes('v: 3'),
    });
  });

  it('throws DocumentNotFoundError for unknown keys and versions', async () => {
    await expect(t.store.history('hist/never')).rejects.toBeInstanceOf(DocumentNotFoundError);
    await expect(t.store.getVersion('hist/a', 99)).rejects.toMatchObject({
      code: 'CFG_PG_NOT_FOUND',
      key: 'hist/a',
      version: 99,
    });
    await expect(t.store.getVersion('hist/a', 0)).rejects.toBeInstanceOf(RangeError);
  });
});

describe('rollback', () => {
  it('writes a new version with the old content and names the source version', async () => {
    await t.store.putDocument('rb/a', 'one');
    await t.store.putDocument('rb/a', 'two');
    const rolled = await t.store.rollback('rb/a', 1, { actor: 'ops', message: 'bad deploy' });
    expect(rolled).toMatchObject({ version: 3, changed: true, data: 'one', hash: hashBytes('one') });
    expect((await t.store.getDocument('rb/a'))?.data).toBe('one');
    const [entry] = await t.store.history('rb/a', { limit: 1 });
    expect(entry).toMatchObject({
      version: 3,
      op: 'rollback',
      actor: 'ops',
      message: 'rollback to version 1: bad deploy',
    });
  });

  it('to the current content writes nothing', async () => {
    const same = await t.store.rollback('rb/a', 1);
    expect(same).toMatchObject({ version: 3, changed: false });
  });

  it('honours expectedVersion and rejects unknown versions', async () => {
    await expect(t.store.rollback('rb/a', 2, { expectedVersion: 2 })).rejects.toMatchObject({
      expected: 2,
      actual: 3,
    });
    await expect(t.store.rollback('rb/a', 42)).rejects.toBeInstanceOf(DocumentNotFoundError);
    await expect(t.store.rollback('rb/none', 1)).rejects.toBeInstanceOf(DocumentNotFoundError);
  });
});

describe('deleteDocument', () => {
  it('records the deletion as a version; re-creating continues the sequence', async () => {
    await t.store.putDocument('del/a', 'one');
    await t.store.putDocument('del/a', 'two');
    expect(await t.store.deleteDocument('del/a', { actor: 'carol', message: 'gone' })).toEqual({
      key: 'del/a',
      version: 3,
    });
    expect(await t.store.getDocument('del/a')).toBeNull();
    expect(await t.store.getDocumentHash('del/a')).toBeNull();
    const [deletion] = await t.store.history('del/a', { limit: 1 });
    expect(deletion).toMatchObject({ version: 3, op: 'delete', hash: null, actor: 'carol', message: 'gone' });
    expect((await t.store.getVersion('del/a', 3)).data).toBeNull();

    const again = await t.store.putDocument('del/a', 'two', { expectedVersion: 0 });
    expect(again).toMatchObject({ version: 4, changed: true });
    expect((await historyRows('del/a')).map((r) => `${r.version}:${r.op}`)).toEqual([
      '1:create',
      '2:update',
      '3:delete',
      '4:create',
    ]);
  });

  it('can roll a deleted key back to a version with data, but not to a deletion', async () => {
    await t.store.putDocument('del/b', 'keep me');
    await t.store.deleteDocument('del/b');
    await expect(t.store.rollback('del/b', 2)).rejects.toThrow(/is a deletion/);
    const restored = await t.store.rollback('del/b', 1);
    expect(restored).toMatchObject({ version: 3, data: 'keep me', changed: true });
  });

  it('throws DocumentNotFoundError for a missing key, and checks expectedVersion', async () => {
    await expect(t.store.deleteDocument('del/none')).rejects.toBeInstanceOf(DocumentNotFoundError);
    await t.store.putDocument('del/c', 'x');
    await expect(t.store.deleteDocument('del/c', { expectedVersion: 5 })).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    expect(await t.store.getDocument('del/c')).not.toBeNull();
  });
});

describe('expectedVersion', () => {
  it('a conflict writes nothing and says what the current version is', async () => {
    await t.store.putDocument('ev/a', 'one');
    const error = await t.store.putDocument('ev/a', 'two', { expectedVersion: 7 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VersionConflictError);
    expect(error).toMatchObject({ code: 'CFG_PG_VERSION_CONFLICT', key: 'ev/a', expected: 7, actual: 1 });
    expect((await t.store.getDocument('ev/a'))?.data).toBe('one');
    expect(await historyRows('ev/a')).toHaveLength(1);
  });

  it('0 means create only', async () => {
    expect((await t.store.putDocument('ev/b', 'x', { expectedVersion: 0 })).version).toBe(1);
    await expect(t.store.putDocument('ev/b', 'y', { expectedVersion: 0 })).rejects.toMatchObject({
      expected: 0,
      actual: 1,
    });
    await expect(t.store.putDocument('ev/none', 'y', { expectedVersion: 1 })).rejects.toMatchObject({
      expected: 1,
      actual: 0,
    });
  });

  it('the current version succeeds', async () => {
    expect((await t.store.putDocument('ev/b', 'z', { expectedVersion: 1 })).version).toBe(2);
  });
});

describe('listDocuments', () => {
  it('lists live documents without data, by prefix, paged with after', async () => {
    for (const key of ['list/b', 'list/a', 'list/c', 'list_x', 'other']) await t.store.putDocument(key, key);
    await t.store.deleteDocument('list/c');
    const page1 = await t.store.listDocuments({ prefix: 'list/', limit: 1 });
    expect(page1.map((d) => d.key)).toEqual(['list/a']);
    expect(page1[0]).toMatchObject({ version: 1, hash: hashBytes('list/a'), createdBy: 'unknown' });
    expect(page1[0]).not.toHaveProperty('data');
    const page2 = await t.store.listDocuments({ prefix: 'list/', after: 'list/a' });
    expect(page2.map((d) => d.key)).toEqual(['list/b']);
    // `_` in a prefix is a plain character, not a LIKE wildcard.
    expect((await t.store.listDocuments({ prefix: 'list_' })).map((d) => d.key)).toEqual(['list_x']);
  });
});

describe('before migrate()', () => {
  it('says to run migrate()', async () => {
    const store = new PgConfigStore(t.db.pool, { schema: `${t.db.schema}_nothing_here` });
    await expect(store.getDocument('a')).rejects.toBeInstanceOf(NotMigratedError);
    await expect(store.putDocument('a', 'x')).rejects.toThrow(/call store.migrate\(\) first/);
  });
});
