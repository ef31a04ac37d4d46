import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgConfigStore } from '@cfg/pg-store';
import { createTestSchema, startProxy, type TcpProxy, type TestSchema } from '@cfg/pg-store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_FILE } from '../helpers/configs.js';
import { ADMIN_TOKEN, assertBuilt, runCli, ServerProcess, until } from '../helpers/server-process.js';

/**
 * The local last-known-good snapshot (real `cfg serve` processes; PostgreSQL reached through a TCP
 * proxy the test can close, a real "database is down"). A replica saves each applied version;
 * restarted while PostgreSQL is unreachable it starts from that snapshot, degraded, and catches up
 * when the database is back. A snapshot whose text does not match its hash is never used.
 */

const KEY = 'default';
let db: TestSchema;
let store: PgConfigStore;
let proxy: TcpProxy;
let snapshotDir: string;

beforeAll(async () => {
  await assertBuilt();
  db = await createTestSchema({ poolSize: 2 });
  store = new PgConfigStore(db.pool, { schema: db.schema });
  await store.migrate();
  proxy = await startProxy(new URL(db.url));
  await proxy.open();
  snapshotDir = await mkdtemp(join(tmpdir(), 'cfg-fault-snapshot-'));
});
afterAll(async () => {
  await proxy.close();
  await rm(snapshotDir, { recursive: true, force: true });
  await db.drop();
});

const args = () => [
  '--database-url',
  proxy.url,
  '--db-schema',
  db.schema,
  '--key',
  KEY,
  '--config',
  FIXTURE_FILE,
];
const env = () => ({ CFG_SNAPSHOT_DIR: snapshotDir });
const snapshotFile = () => join(snapshotDir, `${db.schema}.${KEY}.json`);
const savedVersion = async () => {
  try {
    return (JSON.parse(await readFile(snapshotFile(), 'utf8')) as { version: number }).version;
  } catch {
    return undefined;
  }
};
const readyz = async (server: ServerProcess) =>
  (await (await server.fetch('/readyz')).json()) as { status: string; version: number; errors: string[] };

describe('local last-known-good snapshot', () => {
  it('saved after each applied version; PostgreSQL down at start: starts from it degraded, then catches up', async () => {
    const first = await ServerProcess.start(args(), { env: env() });
    await until(savedVersion, 1);
    const put = await first.fetch('/api/v1/modules/greeter/config', {
      method: 'PUT',
      json: { message: 'saved locally' },
      token: ADMIN_TOKEN,
    });
    expect(await put.json()).toMatchObject({ version: 2 });
    await until(savedVersion, 2);
    expect(await first.stop()).toBe(0);
    // Only the snapshot itself in the directory: no temp files left behind.
    expect(await readdir(snapshotDir)).toEqual([`${db.schema}.${KEY}.json`]);

    // Version 3 is written while the replica is down, then PostgreSQL becomes unreachable.
    const v2 = (await store.getDocument(KEY))!;
    await store.putDocument(KEY, v2.data.replace('saved locally', 'written while down'), { actor: 'test' });
    await proxy.close();

    const second = await ServerProcess.start(args(), { env: env() });
    expect(await second.hello()).toBe('saved locally');
    const during = await readyz(second);
    expect(during).toMatchObject({ status: 'degraded', version: 2 });
    expect(during.errors).toContain('CFG_LOCAL_SNAPSHOT');
    const status = (await (await second.fetch('/api/v1/status', { token: ADMIN_TOKEN })).json()) as Record<
      string,
      unknown
    >;
    expect(status).toMatchObject({
      degraded: true,
      startup: { from: 'snapshot', file: snapshotFile(), version: 2, degraded: true },
    });
    await second.waitForLog((e) => e.msg.startsWith(`started from the local snapshot ${snapshotFile()}`));
    expect(await (await second.fetch('/metrics', { token: ADMIN_TOKEN })).text()).toMatch(
      /^cfg_startup_local_snapshot 1$/m,
    );
    // Writes are refused while the store is away (503), never accepted into nowhere.
    const refused = await second.fetch('/api/v1/modules/greeter/config', {
      method: 'PUT',
      json: { message: 'nowhere' },
      token: ADMIN_TOKEN,
    });
    expect(refused.status).toBe(503);

    await proxy.open();
    await until(() => second.hello(), 'written while down', 15_000);
    await until(async () => (await readyz(second)).status, 'ready', 15_000);
    expect((await readyz(second)).version).toBe(3);
    expect(await (await second.fetch('/metrics', { token: ADMIN_TOKEN })).text()).toMatch(
      /^cfg_startup_local_snapshot 0$/m,
    );
    await until(savedVersion, 3);
    expect(await second.stop()).toBe(0);
  }, 60_000);

  it('a snapshot whose text does not match its hash is ignored: with PostgreSQL down, exit 1', async () => {
    const saved = JSON.parse(await readFile(snapshotFile(), 'utf8')) as { data: string };
    saved.data = saved.data.replace('written while down', 'tampered');
    await writeFile(snapshotFile(), JSON.stringify(saved));
    await proxy.close();
    try {
      const { code, stdout, stderr } = await runCli(
        ['serve', '--port', '0', '--log-format', 'json', ...args()],
        env(),
      );
      expect(code).toBe(1);
      expect(stdout).toContain(
        `ignoring the local snapshot ${snapshotFile()}: its text does not match its hash`,
      );
      expect(stderr).toMatch(
        /^cfg: cannot use the database at .*; no local snapshot of "default" to start from instead \(none usable at /,
      );
    } finally {
      await proxy.open();
    }
  }, 60_000);
});
