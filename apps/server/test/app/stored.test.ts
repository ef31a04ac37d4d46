import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgConfigStore, VersionConflictError } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import { type ConfigSource, DatabaseSource, FileSource, openConfigText } from '@cfg/source';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { overlayOnBase, reportSkippedOverlayEntries } from '../../src/sources/overlay-merge.js';
import { OverlayDocument, WholeDocument } from '../../src/writers/document-layout.js';
import { StoredWriter } from '../../src/writers/stored-writer.js';
import { buildDatabaseApp, buildTestApp } from '../helpers/app.js';
import { captureLogs } from '../helpers/log-capture.js';

const FIXTURE = new URL('../fixtures/config.yaml', import.meta.url);

let db: TestSchema;
let store: PgConfigStore;
let dir: string;
beforeAll(async () => {
  db = await createTestSchema({ poolSize: 4 });
  store = new PgConfigStore(db.pool, { schema: db.schema });
  await store.migrate();
  dir = await mkdtemp(join(tmpdir(), 'cfg-stored-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db.drop();
});

let keys = 0;
/** An app whose API writes go to a fresh document (the whole config), seeded from the example. */
async function databaseApp(writerOpts: { maxDocumentBytes?: number } = {}) {
  return buildDatabaseApp(store, `doc-${++keys}`, await readFile(FIXTURE, 'utf8'), {}, writerOpts);
}

const put = (name: string, payload: unknown, headers: Record<string, string>) =>
  ({ method: 'PUT', url: `/api/v1/modules/${name}/config`, payload: payload as object, headers }) as const;

describe('database mode: the whole config is one stored document', () => {
  it('PUT stores a new version (actor = token name), keeps the YAML comments, and applies it', async () => {
    const { app, admin, key } = await databaseApp();
    const res = await app.inject(put('greeter', { message: 'from the API' }, admin));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      persisted: true,
      version: 2,
      result: { outcome: 'partial', version: 2 },
    });
    expect((await app.inject({ method: 'GET', url: '/hello' })).json()).toEqual({ message: 'from the API' });

    const stored = (await store.getDocument(key))!.data;
    expect(stored).toContain('message: from the API');
    expect(stored).toContain('# rate-limiter: a token bucket in front of /hello.'); // comments survive
    const history = (
      await app.inject({ method: 'GET', url: '/api/v1/config/history', headers: admin })
    ).json();
    expect(history.history.map((h: { version: number; actor: string }) => [h.version, h.actor])).toEqual([
      [2, 'root'],
      [1, 'seed'],
    ]);
  });

  it('412 for a stale If-Match, with the current version; the matching one succeeds', async () => {
    const { app, admin } = await databaseApp();
    const config = await app.inject({ method: 'GET', url: '/api/v1/config', headers: admin });
    expect(config.headers.etag).toBe('"1"');
    await app.inject(put('greeter', { message: 'first' }, admin));
    const stale = await app.inject(put('greeter', { message: 'second' }, { ...admin, 'if-match': '"1"' }));
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ code: 'CFG_ERR_VERSION_CONFLICT', currentVersion: 2 });
    const fresh = await app.inject(put('greeter', { message: 'second' }, { ...admin, 'if-match': '2' }));
    expect(fresh.json()).toMatchObject({ version: 3 });
    const bad = await app.inject(put('greeter', { message: 'x' }, { ...admin, 'if-match': 'yesterday' }));
    expect(bad.statusCode).toBe(400);
  });

  it('422 stores nothing', async () => {
    const { app, admin, key } = await databaseApp();
    const res = await app.inject(put('limiter', { rps: -1 }, admin));
    expect(res.statusCode).toBe(422);
    expect((await store.getDocument(key))!.version).toBe(1);
  });

  it('413 when the document would pass the size limit, naming both sizes; nothing is stored', async () => {
    const fixtureBytes = (await readFile(FIXTURE)).length;
    const { app, admin, key } = await databaseApp({ maxDocumentBytes: fixtureBytes + 100 });
    const res = await app.inject(put('greeter', { message: 'x'.repeat(500) }, admin));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({
      code: 'CFG_ERR_DOCUMENT_TOO_LARGE',
      message: expect.stringMatching(
        new RegExp(
          `^the resulting document would be [\\d,]+ bytes, over the limit of ${(fixtureBytes + 100).toLocaleString('en')} bytes`,
        ),
      ),
    });
    expect((await store.getDocument(key))!.version).toBe(1);
    expect((await app.inject(put('greeter', { message: 'short' }, admin))).json()).toMatchObject({
      version: 2,
    });
  });

  it('422 for a write on a stored document already over the limit (stored by hand): it is not opened', async () => {
    const fixtureBytes = (await readFile(FIXTURE)).length;
    const { app, admin, key } = await databaseApp({ maxDocumentBytes: fixtureBytes - 1 });
    const res = await app.inject(put('greeter', { message: 'hi' }, admin));
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toMatch(/over the limit of [\d,]+ bytes/);
    expect((await store.getDocument(key))!.version).toBe(1);
  });

  it('versions/:v returns a stored version; 404 for one that does not exist', async () => {
    const { app, reader } = await databaseApp();
    const one = await app.inject({ method: 'GET', url: '/api/v1/config/versions/1', headers: reader });
    expect(one.json()).toMatchObject({ version: 1, op: 'create', data: expect.stringContaining('modules:') });
    const missing = await app.inject({ method: 'GET', url: '/api/v1/config/versions/99', headers: reader });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'CFG_ERR_VERSION_NOT_FOUND' });
  });

  it('a version number beyond what the store can hold is a 400, never a 500 (found by the HTTP fuzz)', async () => {
    const { app, admin, key } = await databaseApp();
    const huge = ['2147483648', '99999999999999999999'];
    for (const v of huge) {
      for (const url of [`/api/v1/config/versions/${v}`, `/api/v1/config/history?before=${v}`]) {
        const res = await app.inject({ method: 'GET', url, headers: admin });
        expect(res.json(), url).toMatchObject({ statusCode: 400, code: 'CFG_ERR_BAD_REQUEST' });
      }
      const rollback = await app.inject({
        method: 'POST',
        url: '/api/v1/config/rollback',
        headers: { ...admin, 'if-match': v },
        payload: { version: 1 },
      });
      expect(rollback.json()).toMatchObject({ statusCode: 400, code: 'CFG_ERR_BAD_REQUEST' });
    }
    const body = await app.inject({
      method: 'POST',
      url: '/api/v1/config/rollback',
      headers: admin,
      payload: { version: 2147483648 },
    });
    expect(body.json()).toMatchObject({ statusCode: 400, code: 'CFG_ERR_BAD_REQUEST' });
    expect((await store.getDocument(key))!.version).toBe(1);
  });

  it('rollback writes the old content as a new version and applies it; an invalid target is 422', async () => {
    const { app, admin, key } = await databaseApp();
    await app.inject(put('greeter', { message: 'changed' }, admin));
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/config/rollback',
      headers: admin,
      payload: { version: 1 },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ persisted: true, version: 3, result: { outcome: 'partial' } });
    expect((await app.inject({ method: 'GET', url: '/hello' })).json()).toEqual({
      message: 'Hello from the test fixture',
    });

    const broken = (await store.getDocument(key))!.data.replace('rps: 20', 'rps: -1');
    await store.putDocument(key, broken, { actor: 'someone-else' }); // version 4, never applied
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/config/rollback',
      headers: admin,
      payload: { version: 4 },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().issues).toEqual([
      { path: 'modules.limiter.config.rps', message: expect.any(String) },
    ]);
    expect((await store.getDocument(key))!.version).toBe(4);
  });
});

describe('database mode: the writer keeps the document it last wrote (its working copy)', () => {
  /** Counts the store's reads of `key` while the returned app runs. */
  async function countingApp() {
    const built = await databaseApp();
    const reads = vi.spyOn(store, 'getDocument');
    const readsOfKey = () => reads.mock.calls.filter(([k]) => k === built.key).length;
    return { ...built, readsOfKey, restore: () => reads.mockRestore() };
  }
  /** Reads for the test's own checks, through a second store object, so they are not counted. */
  const stored = async (key: string) =>
    (await new PgConfigStore(db.pool, { schema: db.schema }).getDocument(key))!;

  it('edits it again without a read; a write by anyone else sends the next edit back to a read, keeping both', async () => {
    const { app, admin, key, readsOfKey, restore } = await countingApp();
    try {
      await app.inject(put('greeter', { message: 'one' }, admin));
      await app.inject(put('greeter', { message: 'two' }, admin));
      expect(readsOfKey()).toBe(1); // the first write's read, and no other
      expect(await stored(key)).toMatchObject({ version: 3 });

      const other = (await stored(key)).data.replace('rps: 20', 'rps: 25');
      await store.putDocument(key, other, { actor: 'another-replica' }); // version 4
      const res = await app.inject(put('greeter', { message: 'three' }, admin));
      expect(res.json()).toMatchObject({ version: 5 });
      expect(readsOfKey()).toBe(2); // the conflict sent it back to a read
      const text = (await stored(key)).data;
      expect(text).toContain('message: three');
      expect(text).toContain('rps: 25');
    } finally {
      restore();
    }
  });

  it('a refused edit (422) leaves nothing behind in the next write', async () => {
    const { app, admin, key } = await databaseApp();
    await app.inject(put('greeter', { message: 'one' }, admin));
    const refused = await app.inject(put('limiter', { rps: -3, burst: 1 }, admin));
    expect(refused.statusCode).toBe(422);
    const res = await app.inject(put('greeter', { message: 'two' }, admin));
    expect(res.json()).toMatchObject({ version: 3 });
    const text = (await stored(key)).data;
    expect(text).toContain('rps: 20');
    expect(text).not.toContain('rps: -3');
    expect(text).toContain('message: two');
  });

  it('after a rollback, the next PUT edits the rolled-back content', async () => {
    const { app, admin, key } = await databaseApp();
    await app.inject(put('greeter', { message: 'rolled away' }, admin));
    await app.inject({
      method: 'POST',
      url: '/api/v1/config/rollback',
      headers: admin,
      payload: { version: 1 },
    });
    const res = await app.inject(put('limiter', { rps: 30, burst: 60, paths: ['/hello'] }, admin));
    expect(res.json()).toMatchObject({ version: 4 });
    const text = (await stored(key)).data;
    expect(text).toContain('message: Hello from the test fixture');
    expect(text).not.toContain('rolled away');
    expect(text).toContain('rps: 30');
  });

  it('a stored document that does not parse (written by someone else) is a 422 saying where', async () => {
    const { app, admin, key } = await databaseApp();
    await store.putDocument(key, 'modules:\n  - name: greeter\n    type: [greeter\n', { actor: 'by hand' });
    const res = await app.inject(put('greeter', { message: 'x' }, admin));
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toMatch(/does not parse: database:doc-\d+:\d+:\d+/);
    expect((await stored(key)).version).toBe(2);
  });

  it('concurrent PUTs while another writer commits: each 200 is one version, and no change by either is lost', async () => {
    const { app, admin, key } = await databaseApp();
    const other = new PgConfigStore(db.pool, { schema: db.schema });
    const puts = Array.from({ length: 40 }, (_, i) =>
      app.inject(put('greeter', { message: `m${i}` }, admin)),
    );
    const foreign = (async () => {
      for (let n = 1; n <= 10; n++) {
        for (;;) {
          const doc = (await other.getDocument(key))!;
          const text = doc.data.replace(/region: .*/, `region: r${n}`); // a section the server does not interpret
          try {
            await other.putDocument(key, text, { expectedVersion: doc.version, actor: 'other' });
            break;
          } catch (error) {
            if (!(error instanceof VersionConflictError)) throw error;
          }
        }
      }
    })();
    const answers = await Promise.all(puts);
    await foreign;
    // Without If-Match a write retries a lost race; only a streak of lost races may end in 412.
    for (const res of answers) expect([200, 412], res.body).toContain(res.statusCode);
    const messageOf = new Map<number, string>();
    answers.forEach((res, i) => {
      if (res.statusCode === 200) messageOf.set(res.json().version, `m${i}`);
    });
    expect(messageOf.size).toBeGreaterThan(20);

    // Every version is there; each PUT's version holds its message; the other writer's counter never goes back.
    const total = 1 + messageOf.size + 10;
    let n = 0;
    for (let version = 2; version <= total; version++) {
      const value = parse((await other.getVersion(key, version)).data!) as {
        modules: { name: string; config: { message?: string } }[];
        platform: { region: string };
      };
      const message = messageOf.get(version);
      if (message !== undefined)
        expect(value.modules.find((m) => m.name === 'greeter')!.config.message, `version ${version}`).toBe(
          message,
        );
      const counter = Number(value.platform.region.replace(/^r/, '')) || 0;
      expect(counter, `version ${version} lost the other writer's n=${n}`).toBeGreaterThanOrEqual(n);
      n = counter;
    }
    expect(n).toBe(10);
    expect((await stored(key)).version).toBe(total);
  });

  it('an edit made on top of a write that failed is never stored as it was made', async () => {
    const key = `doc-${++keys}`;
    await store.putDocument(key, await readFile(FIXTURE, 'utf8'), { actor: 'seed' });
    const other = new PgConfigStore(db.pool, { schema: db.schema });
    /** Fails its next write after another writer got in first: the connection dropped mid-write, say. */
    class FlakyStore extends PgConfigStore {
      failNext = false;
      override async putDocument(...args: Parameters<PgConfigStore['putDocument']>) {
        if (!this.failNext) return super.putDocument(...args);
        this.failNext = false;
        const doc = (await other.getDocument(key))!;
        await other.putDocument(key, doc.data.replace(/region: .*/, 'region: by-another-writer'), {
          expectedVersion: doc.version,
        });
        throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
      }
    }
    const flaky = new FlakyStore(db.pool, { schema: db.schema });
    const source = new DatabaseSource(flaky, { key });
    const writer = new StoredWriter({
      mode: 'database',
      store: flaky,
      key,
      layout: new WholeDocument(source.name),
      source,
    });
    const initial = await source.load();
    const { app, admin } = await buildTestApp({ config: initial.config, version: initial.version, writer });

    flaky.failNext = true;
    // B is edited on top of A while A is being stored; A then fails, after the other writer's version 2.
    const [a, b] = await Promise.all([
      app.inject(put('limiter', { rps: 77, burst: 77, paths: ['/hello'] }, admin)),
      app.inject(put('greeter', { message: 'B' }, admin)),
    ]);
    expect(a.statusCode).toBe(503);
    expect(b.json()).toMatchObject({ version: 3 });
    const text = (await other.getDocument(key))!.data;
    expect(text).toContain('region: by-another-writer');
    expect(text).toContain('message: B');
    expect(text).not.toContain('rps: 77');
  });

  it('If-Match is checked against a fresh read: the matching version succeeds, a stale one is 412', async () => {
    const { app, admin, readsOfKey, restore } = await countingApp();
    try {
      await app.inject(put('greeter', { message: 'one' }, admin)); // version 2
      const ok = await app.inject(put('greeter', { message: 'two' }, { ...admin, 'if-match': '"2"' }));
      expect(ok.json()).toMatchObject({ version: 3 });
      const stale = await app.inject(put('greeter', { message: 'x' }, { ...admin, 'if-match': '"2"' }));
      expect(stale.json()).toMatchObject({ statusCode: 412, currentVersion: 3 });
      expect(readsOfKey()).toBe(3);
    } finally {
      restore();
    }
  });
});

describe('overlay mode: the file is the base, API writes go to a stored overlay', () => {
  async function overlayApp(baseText?: string) {
    const key = `overlay-${++keys}`;
    const file = join(dir, `${key}.yaml`);
    await writeFile(file, baseText ?? (await readFile(FIXTURE, 'utf8')));
    await store.putDocument(key, '# API writes land here\nmodules: []\n', { actor: 'seed' });
    const base = new FileSource(file);
    const source: ConfigSource = overlayOnBase(base, new DatabaseSource(store, { key, overlay: true }));
    const writer = new StoredWriter({
      mode: 'overlay',
      store,
      key,
      layout: new OverlayDocument(base, key),
      source,
    });
    const initial = await source.load();
    return {
      key,
      file,
      source,
      ...(await buildTestApp({ config: initial.config, version: initial.version, writer })),
    };
  }

  it('PUT stores a merge patch that pins every key it sets; a later file save cannot undo them', async () => {
    const { app, admin, runtime, key, file, source } = await overlayApp();
    const res = await app.inject(put('limiter', { rps: 5, burst: 5 }, admin)); // drops `paths`
    expect(res.json()).toMatchObject({
      persisted: true,
      version: 2,
      result: { outcome: 'partial', version: 2 },
    });
    const overlay = (await store.getDocument(key))!.data;
    expect(overlay).toContain('# API writes land here');
    expect(overlay).toMatch(
      /- name: limiter\n\s+type: rate-limiter\n\s+config:\n\s+rps: 5\n\s+burst: 5\n\s+paths: null/,
    );
    expect(runtime.reloader.current.config.modules[1]).toEqual({
      name: 'limiter',
      type: 'rate-limiter',
      config: { rps: 5, burst: 5 },
    });

    // The file changes both a pinned key (rps) and one the API never set (the greeter's message).
    const text = (await readFile(file, 'utf8'))
      .replace('rps: 20', 'rps: 99')
      .replace('Hello from', 'Hi from');
    await writeFile(file, text);
    const applied = await runtime.handleChange(await source.load());
    expect(applied.outcome).toBe('partial');
    expect(runtime.reloader.current.config.modules[1]?.config).toEqual({ rps: 5, burst: 5 });
    expect((await app.inject({ method: 'GET', url: '/hello' })).json()).toEqual({
      message: 'Hi from the test fixture',
    });
  });

  it('503 when the base file cannot be read; nothing is stored', async () => {
    const { app, admin, key, file } = await overlayApp();
    await rm(file);
    const res = await app.inject(put('greeter', { message: 'x' }, admin));
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      code: 'CFG_ERR_SOURCE_UNAVAILABLE',
      message: expect.stringContaining(file),
    });
    expect((await store.getDocument(key))!.version).toBe(1);
  });

  it('503, not 422, when the base file does not parse (the request is not what is wrong); nothing is stored', async () => {
    const { app, admin, key, file } = await overlayApp();
    await writeFile(file, 'modules: [\n');
    const res = await app.inject(put('greeter', { message: 'x' }, admin));
    expect(res.json()).toMatchObject({ statusCode: 503, code: 'CFG_ERR_SOURCE_UNAVAILABLE' });
    expect((await store.getDocument(key))!.version).toBe(1);
  });

  it('a base read that fails once (a save in progress reads empty) is read again', async () => {
    const file = join(dir, 'flaky-base.yaml');
    await writeFile(file, await readFile(FIXTURE, 'utf8'));
    const real = new FileSource(file);
    let loads = 0;
    const flaky: ConfigSource = {
      name: real.name,
      hash: (opts) => real.hash(opts),
      load: async (opts) => {
        if (loads++ === 0) throw new Error(`${file}: the file is empty`);
        return real.load(opts);
      },
    };
    const doc = openConfigText('modules: []\n');
    const layout = new OverlayDocument(flaky, 'database:overlay');
    const layers = await layout.edit(doc, 'greeter', { message: 'after the save' });
    const { config } = await layout.resolve(doc.toString(), layers);
    expect(doc.toString()).toContain('message: after the save');
    expect(config.modules.find((m) => m.name === 'greeter')?.config).toMatchObject({
      message: 'after the save',
    });
    expect(loads).toBe(2);
  });

  it('rolling the overlay back to its first (empty) version gives the file back every key', async () => {
    const { app, admin } = await overlayApp();
    await app.inject(put('greeter', { message: 'API wins' }, admin));
    expect((await app.inject({ method: 'GET', url: '/hello' })).json()).toEqual({ message: 'API wins' });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/config/rollback',
      headers: admin,
      payload: { version: 1 },
    });
    expect(res.json()).toMatchObject({ version: 3, result: { outcome: 'partial' } });
    expect((await app.inject({ method: 'GET', url: '/hello' })).json()).toEqual({
      message: 'Hello from the test fixture',
    });
  });

  it('a PUT keeps its nulls: what the body holds is what runs, after a reload from the store too', async () => {
    const { app, admin, runtime, key, source } = await overlayApp();
    const body = { a: null, nested: { b: null }, list: [null, 1] };
    const res = await app.inject(put('status-page', { path: '/status', body }, admin));
    expect(res.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/status' })).json()).toEqual(body);
    expect((await store.getDocument(key))!.data).toContain('$literal: null');
    // The poller's path (the stored overlay read back and merged) gives the same config.
    const reloaded = await source.load();
    expect(reloaded.hash).toBe(runtime.reloader.current.hash);
    expect(reloaded.config.modules.find((m) => m.name === 'status-page')?.config).toEqual({
      path: '/status',
      body,
    });
  });

  const SMALL_BASE = 'modules:\n  - name: m\n    type: greeter\n    config:\n      message: from the file\n';

  it('a PUT does not pin the type: the file can change it, and the old entry is reported, not merged', async () => {
    const { app, admin, runtime, file, source } = await overlayApp(SMALL_BASE);
    expect((await app.inject(put('m', { message: 'from the API' }, admin))).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/hello' })).json()).toEqual({ message: 'from the API' });

    await writeFile(
      file,
      'modules:\n  - name: m\n    type: static-response\n    config: { path: /m, body: now static }\n',
    );
    const applied = await runtime.handleChange(await source.load());
    expect(applied.outcome).toBe('full');
    expect((await app.inject({ method: 'GET', url: '/m' })).body).toBe('now static');
    const status = (await app.inject({ method: 'GET', url: '/api/v1/status', headers: admin })).json();
    expect(status.overlay.notApplied).toEqual([
      {
        name: 'm',
        reason: 'type',
        type: 'greeter',
        baseType: 'static-response',
        message: expect.stringMatching(/written for type "greeter".*now a "static-response"/),
      },
    ]);
    // Writing to it through the API now would merge a greeter's edit into a static response: refused.
    const conflict = await app.inject(put('m', { path: '/m', body: 'x' }, admin));
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ code: 'CFG_ERR_OVERLAY_CONFLICT' });
  });

  it('a module deleted from the file stays deleted: its overlay entry is reported, not resurrected', async () => {
    const { app, admin, runtime, file, source } = await overlayApp(
      `${SMALL_BASE}  - name: flags\n    type: feature-flags\n    config: { a: true }\n`,
    );
    const logs = captureLogs();
    reportSkippedOverlayEntries(runtime.reloader, logs.logger);
    expect((await app.inject(put('m', { message: 'from the API' }, admin))).statusCode).toBe(200);
    await writeFile(file, 'modules:\n  - name: flags\n    type: feature-flags\n    config: { a: true }\n');
    const applied = await runtime.handleChange(await source.load());
    expect(applied.outcome).not.toBe('rejected');
    expect(runtime.reloader.current.config.modules.map((m) => m.name)).toEqual(['flags']);
    expect((await app.inject({ method: 'GET', url: '/hello' })).statusCode).toBe(404);
    const status = (await app.inject({ method: 'GET', url: '/api/v1/status', headers: admin })).json();
    expect(status.overlay.notApplied).toMatchObject([{ name: 'm', reason: 'missing' }]);
    expect((await app.inject(put('m', { message: 'x' }, admin))).statusCode).toBe(404);
    // Logged once, not once per check: another change with the entry still left out adds no line.
    await writeFile(file, 'modules:\n  - name: flags\n    type: feature-flags\n    config: { a: false }\n');
    expect((await runtime.handleChange(await source.load())).outcome).toBe('partial');
    const warned = logs.lines.filter((l) => l.level === 40);
    expect(warned).toMatchObject([
      {
        module: 'm',
        reason: 'missing',
        msg: expect.stringMatching(/^overlay entry "m" is not applied: the config file has no module "m"/),
      },
    ]);
  });

  it('an overlay entry need not repeat `type`', async () => {
    const { app, runtime, key, source } = await overlayApp(SMALL_BASE);
    await store.putDocument(key, 'modules:\n  - name: m\n    config: { message: typeless }\n', {
      actor: 'cli',
    });
    expect((await runtime.handleChange(await source.load())).outcome).toBe('partial');
    expect((await app.inject({ method: 'GET', url: '/hello' })).json()).toEqual({ message: 'typeless' });
  });
});
