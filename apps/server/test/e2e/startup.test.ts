import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgConfigStore } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_FILE, readFixture } from '../helpers/configs.js';
import { ADMIN_TOKEN, assertBuilt, runCli, ServerProcess, until } from '../helpers/server-process.js';

/**
 * Start-up never refuses because of the newest stored version (real `cfg serve` processes, real
 * PostgreSQL): it starts on the newest version that parses and validates, says what it skipped
 * (`/readyz`, `/api/v1/status`, a log line, a metric), and takes the next good version the normal
 * way. It exits 1 only when no stored version is usable. A seed is checked before it is stored.
 */

let db: TestSchema;
let store: PgConfigStore;
let fixture: string;
let dir: string;
beforeAll(async () => {
  await assertBuilt();
  db = await createTestSchema({ poolSize: 2 });
  store = new PgConfigStore(db.pool, { schema: db.schema });
  await store.migrate();
  fixture = await readFixture();
  dir = await mkdtemp(join(tmpdir(), 'cfg-e2e-startup-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db.drop();
});

const DB_ARGS = () => ['--database-url', db.url, '--db-schema', db.schema];
const withMessage = (message: string) => fixture.replace(/message: .*/, `message: ${message}`);
/** Parses, but the engine refuses it: rps must be > 0. */
const INVALID = () => withMessage('invalid').replace('rps: 20', 'rps: -1');
/** Does not parse. */
const BROKEN = 'modules:\n  - name: greeter\n    type: greeter\n  config: [\n';

const json = async (server: ServerProcess, path: string) =>
  (await (await server.fetch(path, { token: ADMIN_TOKEN })).json()) as Record<string, unknown>;

/** `cfg serve` that is expected to exit before it listens: its exit code and stderr. */
async function serveFails(args: string[]) {
  const snapshots = join(dir, 'none');
  return runCli(['serve', '--port', '0', '--log-format', 'json', ...args], { CFG_SNAPSHOT_DIR: snapshots });
}

describe('database mode: the newest stored version is bad', () => {
  it('starts on the newest usable version, reports what it skipped, then takes the next good one', async () => {
    const key = 'walk-back';
    await store.putDocument(key, withMessage('good v1'), { actor: 'test' });
    await store.putDocument(key, withMessage('good v2'), { actor: 'test' });
    await store.putDocument(key, INVALID(), { actor: 'test' }); // v3: cfg push of rps: -1
    await store.putDocument(key, BROKEN, { actor: 'test' }); // v4: a hand-written bad row

    const server = await ServerProcess.start([...DB_ARGS(), '--key', key]);
    expect(await server.hello()).toBe('good v2');
    expect(await json(server, '/api/v1/config')).toMatchObject({ version: 2 });

    const ready = await server.fetch('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'degraded',
      hash: expect.any(String),
      version: 2,
      errors: expect.arrayContaining(['CFG_PARSE', 'CFG_VALIDATION']),
      skippedVersions: [4, 3],
    });
    const status = await json(server, '/api/v1/status');
    expect(status).toMatchObject({
      degraded: true,
      startup: {
        from: 'history',
        version: 2,
        degraded: true,
        skipped: [
          { version: 4, code: 'CFG_PARSE', message: expect.stringMatching(/^database:walk-back:\d+:\d+: /) },
          {
            version: 3,
            code: 'CFG_VALIDATION',
            issues: [{ path: 'modules.limiter.config.rps', message: expect.any(String) }],
          },
        ],
      },
    });
    const line = await server.waitForLog((e) => /^started on version 2 /.test(e.msg));
    expect(line.msg).toMatch(/skipped 2 newer: version 4: .*; version 3: .*rps/);
    const metrics = await (await server.fetch('/metrics', { token: ADMIN_TOKEN })).text();
    expect(metrics).toMatch(/^cfg_startup_skipped_versions 2$/m);
    expect(metrics).toMatch(/^cfg_config_degraded 1$/m);

    // The next good version arrives the normal way (NOTIFY / poll), and the degradation ends.
    await store.putDocument(key, withMessage('good v5'), { actor: 'test' });
    await until(() => server.hello(), 'good v5');
    await until(
      async () => ((await (await server.fetch('/readyz')).json()) as { status: string }).status,
      'ready',
    );
    expect(await json(server, '/api/v1/status')).toMatchObject({
      degraded: false,
      startup: { from: 'history', degraded: false },
    });
    const after = await (await server.fetch('/metrics', { token: ADMIN_TOKEN })).text();
    expect(after).toMatch(/^cfg_startup_skipped_versions 0$/m);
    expect(await server.stop()).toBe(0);
  });

  it('exits 1 only when no stored version is usable, naming the key and the first error', async () => {
    const key = 'all-bad';
    await store.putDocument(key, INVALID(), { actor: 'test' });
    await store.putDocument(key, BROKEN, { actor: 'test' });
    const { code, stderr } = await serveFails([...DB_ARGS(), '--key', key]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^cfg: no stored version of "all-bad" is usable: no usable config among 2 tried; the newest, version 2: database:all-bad:\d+:\d+: /,
    );
  });
});

describe('the seed (--config for a new key)', () => {
  it('is checked before it is stored: a refused seed exits 1 and stores nothing', async () => {
    const invalid = join(dir, 'invalid-seed.yaml');
    await writeFile(invalid, INVALID());
    const broken = join(dir, 'broken-seed.yaml');
    await writeFile(broken, BROKEN);
    for (const [key, seed, reason] of [
      ['seed-invalid', invalid, /modules\.limiter\.config\.rps/],
      ['seed-broken', broken, /broken-seed\.yaml:\d+:\d+: /],
    ] as const) {
      const { code, stderr } = await serveFails([...DB_ARGS(), '--key', key, '--config', seed]);
      expect(code, stderr).toBe(1);
      expect(stderr).toMatch(reason);
      expect(await store.getDocument(key)).toBeNull();
      await expect(store.history(key)).rejects.toMatchObject({ code: 'CFG_PG_NOT_FOUND' });
    }
  });

  it('a good seed is stored as version 1 and served', async () => {
    const server = await ServerProcess.start([...DB_ARGS(), '--key', 'seed-good', '--config', FIXTURE_FILE]);
    expect(await json(server, '/api/v1/config')).toMatchObject({ version: 1 });
    expect((await store.getDocument('seed-good'))?.version).toBe(1);
    expect(await server.stop()).toBe(0);
  });
});

describe('overlay mode: the newest stored overlay is bad', () => {
  it('starts on the newest overlay version that validates over the file, and says so', async () => {
    const key = 'overlay-walk';
    const pin = (message: string) =>
      `modules:\n  - name: greeter\n    type: greeter\n    config: { message: ${message} }\n`;
    await store.putDocument(key, pin('overlay v1'), { actor: 'test' });
    await store.putDocument(
      key,
      'modules:\n  - name: limiter\n    type: rate-limiter\n    config: { rps: -1 }\n',
      {
        actor: 'test',
      },
    );
    const server = await ServerProcess.start(['--config', FIXTURE_FILE, '--overlay-key', key, ...DB_ARGS()]);
    expect(await server.hello()).toBe('overlay v1');
    expect(await (await server.fetch('/readyz')).json()).toMatchObject({
      status: 'degraded',
      version: 1,
      skippedVersions: [2],
    });
    await store.putDocument(key, pin('overlay v3'), { actor: 'test' });
    await until(() => server.hello(), 'overlay v3');
    await until(
      async () => ((await (await server.fetch('/readyz')).json()) as { status: string }).status,
      'ready',
    );
    expect(await server.stop()).toBe(0);
  });
});
