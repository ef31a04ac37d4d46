import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgConfigStore } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_FILE } from '../helpers/configs.js';
import { ADMIN_TOKEN, assertBuilt, runCli, ServerProcess, until } from '../helpers/server-process.js';

/**
 * Two replicas on one document, one of them (B) started with `--module-types` that leave out
 * `static-response`: a per-replica condition, as an older release lacking a newer module type would
 * be. `cfg push --wait` then tells a version every replica took from one that B refused, and a
 * replica that does not answer from one that is gone.
 */

const KEY = 'default';
const WITHOUT_STATIC = 'greeter,rate-limiter,feature-flags,welcome';

let db: TestSchema;
let store: PgConfigStore;
let dir: string;
let base: string;
let a: ServerProcess;
let b: ServerProcess;
let dbFlags: string[];

/** The fixture without its static-response module, with `message` as the greeter's. */
function config(message: string, withStatic = false): string {
  const start = base.indexOf('  # static-response:');
  const end = base.indexOf('  # welcome:');
  const text = withStatic ? base : base.slice(0, start) + base.slice(end);
  return text.replace('message: Hello from the test fixture', `message: ${message}`);
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const instanceIdOf = async (server: ServerProcess) =>
  ((await (await server.fetch('/api/v1/fleet', { token: ADMIN_TOKEN })).json()) as { self: string }).self;

beforeAll(async () => {
  await assertBuilt();
  base = await readFile(FIXTURE_FILE, 'utf8');
  dir = await mkdtemp(join(tmpdir(), 'cfg-fleet-e2e-'));
  db = await createTestSchema({ poolSize: 2 });
  store = new PgConfigStore(db.pool, { schema: db.schema });
  dbFlags = ['--database-url', db.url, '--db-schema', db.schema];
  const seed = await file('seed.yaml', config('v1'));
  const common = [...dbFlags, '--key', KEY, '--config', seed, '--fleet-heartbeat-ms', '1000'];
  a = await ServerProcess.start([...common, '--label', 'name=replica-a']);
  b = await ServerProcess.start([...common, '--label', 'name=replica-b', '--module-types', WITHOUT_STATIC]);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db.drop();
});

describe('the fleet of two replicas (real processes)', () => {
  it('cfg status lists both, live, on version 1', async () => {
    // Registration runs in the background of the start; both are there within a moment.
    await until(async () => (await store.fleet(KEY)).instances.filter((i) => i.state === 'live').length, 2);
    const { code, stdout } = await runCli(['status', '--key', KEY, ...dbFlags]);
    expect(code).toBe(0);
    expect(stdout).toContain(`"${KEY}": newest version 1, 2 live instances`);
    for (const server of [a, b]) expect(stdout).toContain(await instanceIdOf(server));
    expect(stdout).toMatch(/name=replica-a\s+live\s+v1/);
    expect(stdout).toMatch(/name=replica-b\s+live\s+v1/);
  });

  it('cfg push --wait: exit 0 once every live replica reports the new version', async () => {
    const started = performance.now();
    const push = await runCli([
      'push',
      await file('v2.yaml', config('v2')),
      '--key',
      KEY,
      '--wait=20s',
      ...dbFlags,
    ]);
    expect(push.stdout).toContain('reached all 2 live instances');
    expect(push.code).toBe(0);
    console.log(
      `cfg push --wait, 2 replicas: ${(performance.now() - started).toFixed(0)} ms for the whole command`,
    );
    expect(await a.hello()).toBe('v2');
    expect(await b.hello()).toBe('v2');
  });

  it('cfg push --wait: exit 1 naming the replica that refused the version, and why', async () => {
    const push = await runCli([
      'push',
      await file('v3.yaml', config('v3', true)),
      '--key',
      KEY,
      '--wait=20s',
      ...dbFlags,
    ]);
    expect(push.code).toBe(1);
    const idB = await instanceIdOf(b);
    expect(push.stdout).toMatch(new RegExp(`rejected\\s+${idB} \\(.*name=replica-b\\)`));
    expect(push.stdout).toContain('CFG_VALIDATION');
    expect(push.stdout).toContain('modules.status-page.type: unknown module type "static-response"');
    expect(push.stdout).toContain(`version 3 of "${KEY}" was REJECTED by 1 of 2 live instances: ${idB}`);
    // A took it; B keeps serving its last good config.
    expect(await a.hello()).toBe('v3');
    expect(await b.hello()).toBe('v2');
    const fleet = (await (await a.fetch('/api/v1/fleet', { token: ADMIN_TOKEN })).json()) as {
      instances: {
        id: string;
        version: number;
        lag: number;
        lastOutcome: { version: number; outcome: string };
      }[];
    };
    expect(fleet.instances.find((i) => i.id === idB)).toMatchObject({
      version: 2,
      lag: 1,
      lastOutcome: { version: 3, outcome: 'rejected' },
    });
  });

  it('cfg rollback --wait: both replicas on the rolled-back content, exit 0', async () => {
    const rollback = await runCli(['rollback', '2', '--key', KEY, '--wait=20s', ...dbFlags]);
    expect(rollback.stdout).toContain('now version 4');
    expect(rollback.stdout).toContain('reached all 2 live instances');
    expect(rollback.code).toBe(0);
    expect(await a.hello()).toBe('v2');
  });

  it('the HTTP API waits the same way: GET /api/v1/fleet/versions/:v?wait=', async () => {
    const put = await a.fetch('/api/v1/modules/greeter/config', {
      method: 'PUT',
      json: { message: 'v5' },
      token: ADMIN_TOKEN,
    });
    expect(await put.json()).toMatchObject({ version: 5 });
    const res = await b.fetch('/api/v1/fleet/versions/5?wait=20', { token: ADMIN_TOKEN });
    expect(await res.json()).toMatchObject({
      state: 'complete',
      instances: [{ status: 'applied' }, { status: 'applied' }],
    });
  });

  it('cfg push --wait times out naming a replica that does not answer (paused), exit 1', async () => {
    const idB = await instanceIdOf(b);
    b.child.kill('SIGSTOP'); // alive (its last heartbeat holds for 3 s) but handling nothing
    try {
      const push = await runCli([
        'push',
        await file('v6.yaml', config('v6')),
        '--key',
        KEY,
        '--wait=1s',
        ...dbFlags,
      ]);
      expect(push.code).toBe(1);
      expect(push.stdout).toContain(`is still pending on 1 of 2 live instances: ${idB}`);
    } finally {
      b.child.kill('SIGCONT');
    }
    await until(() => b.hello(), 'v6');
  });

  it('a replica that dies shows as gone once its heartbeats stop, and is no longer waited for', async () => {
    const idB = await instanceIdOf(b);
    await b.stop('SIGKILL');
    await until(
      async () => (await store.fleet(KEY)).instances.find((i) => i.id === idB)?.state,
      'gone',
      10_000,
    );
    const status = await runCli(['status', '--key', KEY, ...dbFlags]);
    expect(status.stdout).toMatch(new RegExp(`${idB}.*\\bgone\\b`));
    const push = await runCli([
      'push',
      await file('v7.yaml', config('v7')),
      '--key',
      KEY,
      '--wait=20s',
      ...dbFlags,
    ]);
    expect(push.stdout).toContain('reached all 1 live instance');
    expect(push.code).toBe(0);
  });

  it('a replica that stops cleanly leaves the fleet at once (stopped)', async () => {
    const idA = await instanceIdOf(a);
    expect(await a.stop()).toBe(0);
    const fleet = await store.fleet(KEY);
    expect(fleet.instances.find((i) => i.id === idA)?.state).toBe('stopped');
  });
});
