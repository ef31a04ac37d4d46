/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are reference syntax. */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgConfigStore } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import {
  type ConfigSource,
  DatabaseSource,
  FileSource,
  type ReferenceOptions,
  SECRET_MASK,
} from '@cfg/source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlayOnBase } from '../../src/sources/overlay-merge.js';
import { OverlayDocument } from '../../src/writers/document-layout.js';
import { MemoryWriter } from '../../src/writers/memory-writer.js';
import { StoredWriter } from '../../src/writers/stored-writer.js';
import { buildDatabaseApp, buildTestApp, type TestApp } from '../helpers/app.js';

/** A value no test text contains by chance. */
const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

let db: TestSchema;
let store: PgConfigStore;
let dir: string;
let secrets: string;
let outside: string;
const DB_PASSWORD = secret('db-password');
const API_KEY = secret('api-key');
const APP_TOKEN = secret('app-token');
const OUTSIDE = secret('outside');
const LITERAL = secret('literal-password');
let references: ReferenceOptions;

beforeAll(async () => {
  db = await createTestSchema({ poolSize: 4 });
  store = new PgConfigStore(db.pool, { schema: db.schema });
  await store.migrate();
  dir = await mkdtemp(join(tmpdir(), 'cfg-secrets-app-'));
  secrets = join(dir, 'secrets');
  outside = join(dir, 'outside');
  await mkdir(secrets);
  await mkdir(outside);
  await writeFile(join(secrets, 'db-password'), `${DB_PASSWORD}\n`);
  await writeFile(join(secrets, 'api-key'), API_KEY);
  await writeFile(join(outside, 'other'), OUTSIDE);
  references = { fileDirs: [secrets], env: ['APP_TOKEN'], environment: { APP_TOKEN, HOME: '/root' } };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db.drop();
});

/** greeter, flags behind basic-auth (password from a file), a static response holding a literal apiKey. */
const baseText = () => `# secrets as references
modules:
  - name: greeter
    type: greeter
    config:
      message: hello
  - name: flags
    type: feature-flags
    config:
      beta: true
  - name: auth
    type: basic-auth
    config:
      paths: [/flags]
      username: admin
      password: \${file:${join(secrets, 'db-password')}}
  - name: status
    type: static-response
    config:
      path: /status
      body:
        apiKey: ${LITERAL}
        token: abc
`;

const put = (app: TestApp, name: string, payload: unknown) =>
  app.app.inject({
    method: 'PUT',
    url: `/api/v1/modules/${name}/config`,
    payload: payload as object,
    headers: app.admin,
  });
const get = (app: TestApp, url: string) => app.app.inject({ method: 'GET', url, headers: app.admin });
const basic = (password: string) => ({
  authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`,
});
const auth = (password: string) => ({ paths: ['/flags'], username: 'admin', password });

let files = 0;
async function fileApp(): Promise<TestApp> {
  const file = join(dir, `config-${++files}.yaml`);
  await writeFile(file, baseText());
  const snapshot = await new FileSource(file, { references }).load();
  return buildTestApp({ snapshot, writer: new MemoryWriter({ references }) });
}

let keys = 0;
async function databaseApp() {
  return buildDatabaseApp(store, `secrets-${++keys}`, baseText(), {}, { references });
}

describe('secrets in the HTTP API', () => {
  it('GET /config and /modules mask values from references and under secret keys, for an admin token too', async () => {
    const app = await fileApp();
    const config = (await get(app, '/api/v1/config')).json();
    expect(config.secretPaths).toEqual(['/modules/2/config/password']);
    expect(config.config.modules[2].config).toEqual({
      paths: ['/flags'],
      username: 'admin',
      password: SECRET_MASK,
      realm: undefined,
    });
    // By structure, at any length: "abc" is too short to be searched for in text, but it is a value under a secret key.
    expect(config.config.modules[3].config.body).toEqual({ apiKey: SECRET_MASK, token: SECRET_MASK });
    expect((await get(app, '/api/v1/modules/status')).json().config.body.token).toBe(SECRET_MASK);
    const modules = (await get(app, '/api/v1/modules')).body;
    const one = (await get(app, '/api/v1/modules/auth')).body;
    for (const body of [JSON.stringify(config), modules, one])
      for (const value of [DB_PASSWORD, LITERAL]) expect(body).not.toContain(value);
    // What the modules do with their config is theirs: the guard takes the file's password.
    expect((await app.app.inject({ url: '/flags', headers: basic(DB_PASSWORD) })).statusCode).toBe(200);
    const refused = await app.app.inject({ url: '/flags', headers: basic('guess') });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Basic realm="cfg", charset="UTF-8"');
    expect(refused.json()).toMatchObject({ code: 'CFG_ERR_BASIC_AUTH' });
  });

  it('a PUT whose reference reads outside the allowed places is a 422 with every problem; nothing changes', async () => {
    const app = await fileApp();
    const before = app.runtime.reloader.current;
    for (const [reference, code] of [
      ['${file:/etc/passwd}', 'CFG_REF_FILE_NOT_ALLOWED'],
      [`\${file:${join(outside, 'other')}}`, 'CFG_REF_FILE_NOT_ALLOWED'],
      [`\${file:${join(secrets, '..', 'outside', 'other')}}`, 'CFG_REF_FILE_NOT_ALLOWED'],
      ['${env:HOME}', 'CFG_REF_ENV_NOT_ALLOWED'],
      ['${evn:APP_TOKEN}', 'CFG_REF_SYNTAX'],
    ] as const) {
      const res = await put(app, 'greeter', { message: reference });
      expect(res.statusCode, reference).toBe(422);
      expect(res.json()).toMatchObject({
        code: 'CFG_ERR_INVALID_REFERENCE',
        problems: [{ code, reference }],
        issues: [{ path: 'modules.greeter.config.message' }],
      });
      expect(res.body).not.toContain(OUTSIDE);
    }
    expect(app.runtime.reloader.current).toBe(before);
  });

  it('a PUT with an allowed reference applies its value and shows it masked', async () => {
    const app = await fileApp();
    const res = await put(app, 'greeter', { message: '${env:APP_TOKEN}' });
    expect(res.statusCode).toBe(200);
    expect(app.runtime.reloader.current.secretPaths).toEqual([
      '/modules/0/config/message',
      '/modules/2/config/password',
    ]);
    expect((await get(app, '/api/v1/modules/greeter')).json().config).toEqual({ message: SECRET_MASK });
    expect((await app.app.inject({ url: '/hello' })).json()).toEqual({ message: APP_TOKEN });
  });

  it('a PUT that sends the mask back where a secret is, is refused at that field', async () => {
    const app = await fileApp();
    const res = await put(app, 'auth', auth(SECRET_MASK));
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'CFG_ERR_INVALID_CONFIG',
      issues: [{ path: 'modules.auth.config.password', message: expect.stringContaining('mask') }],
    });
    // Under a key that is not secret and not from a reference, the mask is just text.
    expect((await put(app, 'greeter', { message: SECRET_MASK })).statusCode).toBe(200);
  });

  it('a rejected change that quotes a secret is masked in /reloads, /status and the records SSE sends', async () => {
    const app = await fileApp();
    const file = join(dir, `quoting-${++files}.yaml`);
    // A module type taken from a secret: "unknown module type" quotes it.
    await writeFile(file, `${baseText()}  - name: odd\n    type: \${file:${join(secrets, 'api-key')}}\n`);
    const snapshot = await new FileSource(file, { references }).load();
    const result = await app.runtime.handleChange(snapshot);
    expect(result.outcome).toBe('rejected');
    expect(result.error).toContain(API_KEY); // the reloader's own result is the unmasked truth
    const reloads = (await get(app, '/api/v1/reloads')).body;
    const status = (await get(app, '/api/v1/status')).body;
    expect(reloads).toContain(`unknown module type \\"${SECRET_MASK}\\"`);
    for (const body of [reloads, status, JSON.stringify(app.runtime.reloads.list())])
      expect(body).not.toContain(API_KEY);
  });
});

describe('secrets in stored documents', () => {
  it('database mode: the stored text keeps the reference; the applied hash is the one the source computes', async () => {
    const app = await databaseApp();
    const res = await put(app, 'auth', auth(`\${file:${join(secrets, 'api-key')}}`));
    expect(res.statusCode).toBe(200);
    const stored = (await store.getDocument(app.key))!;
    expect(stored.data).toContain(`password: \${file:${join(secrets, 'api-key')}}`);
    expect(stored.data).not.toContain(API_KEY);
    // Keyed, and equal to what this process's source computes: the poller does not load it back.
    expect(app.runtime.reloader.current.hash).not.toBe(stored.hash);
    expect(app.runtime.reloader.current.hash).toBe(await app.source.hash());
    expect((await app.app.inject({ url: '/flags', headers: basic(API_KEY) })).statusCode).toBe(200);
  });

  it('database mode: ${file:/etc/passwd} is a 422 and nothing is stored', async () => {
    const app = await databaseApp();
    const res = await put(app, 'auth', auth('${file:/etc/passwd}'));
    expect(res.json()).toMatchObject({
      statusCode: 422,
      code: 'CFG_ERR_INVALID_REFERENCE',
      problems: [{ code: 'CFG_REF_FILE_NOT_ALLOWED', pointer: '/modules/2/config/password', line: 17 }],
    });
    expect((await store.history(app.key)).map((h) => h.version)).toEqual([1]);
  });

  it('GET /config/versions/:v masks literal values under secret keys in the text, and shows references', async () => {
    const app = await databaseApp();
    const text = (await get(app, '/api/v1/config/versions/1')).json().data as string;
    expect(text).not.toContain(LITERAL);
    expect(text).toContain(`apiKey: "${SECRET_MASK}"\n        token: "${SECRET_MASK}"\n`);
    expect(text).toContain(`password: \${file:${join(secrets, 'db-password')}}`);
    expect(text).toContain('# secrets as references');
  });

  it('overlay mode: a reference written to the overlay resolves; /etc/passwd is refused; hashes agree', async () => {
    const key = `overlay-secrets-${++keys}`;
    const file = join(dir, `${key}.yaml`);
    await writeFile(file, baseText());
    await store.putDocument(key, 'modules: []\n', { actor: 'seed' });
    const base = new FileSource(file, { references });
    const overlay = new DatabaseSource(store, { key, overlay: true, references });
    const source: ConfigSource = overlayOnBase(base, overlay);
    const writer = new StoredWriter({
      mode: 'overlay',
      store,
      key,
      layout: new OverlayDocument(base, key, { references }),
      source,
    });
    const app = await buildTestApp({ snapshot: await source.load(), writer });
    expect((await put(app, 'auth', auth('${file:/etc/passwd}'))).json()).toMatchObject({
      code: 'CFG_ERR_INVALID_REFERENCE',
      issues: [{ path: 'modules.auth.config.password' }],
    });
    expect((await store.history(key)).map((h) => h.version)).toEqual([1]);

    expect((await put(app, 'greeter', { message: '${env:APP_TOKEN}' })).statusCode).toBe(200);
    expect((await store.getDocument(key))!.data).toContain('message: ${env:APP_TOKEN}');
    const current = app.runtime.reloader.current;
    expect(current.hash).toBe(await source.hash());
    expect(current.secretPaths).toEqual(['/modules/0/config/message', '/modules/2/config/password']);
    expect((await app.app.inject({ url: '/hello' })).json()).toEqual({ message: APP_TOKEN });
  });
});
