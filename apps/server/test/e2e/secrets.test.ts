/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are reference syntax. */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgConfigStore } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import { SECRET_MASK } from '@cfg/source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReloadEvents } from '../helpers/reload-events.js';
import { SecretVolume } from '../helpers/secret-volume.js';
import { ADMIN_TOKEN, assertBuilt, READ_TOKEN, runCli, ServerProcess } from '../helpers/server-process.js';

/** Distinctive values: any of them found in an output is a leak, never a coincidence. */
const secret = (label: string) => `${label}-${randomBytes(16).toString('hex')}`;
/** Every secret value this file ever hands a server (passwords as they rotate included). */
const SECRETS = new Set<string>();
const seed = (label: string) => {
  const value = secret(label);
  SECRETS.add(value);
  return value;
};
/** Every output of the run the scan reads: HTTP replies, SSE events, log lines, CLI output. */
const outputs: { what: string; text: string }[] = [];

const GREETING = seed('env-greeting');
const LITERAL = seed('literal-api-key');
const ROTATIONS = 24; // half Kubernetes `..data` swaps, half renames over a plain file

let dir: string;
let volume: SecretVolume; // a Kubernetes Secret volume of one file, `password`
let plain: string; // a plain directory of secret files
let outside: string;
let file: string;
let db: TestSchema;
let store: PgConfigStore;
let fileServer: ServerProcess;
let dbServer: ServerProcess;
const streams: ReloadEvents[] = [];

/** An atomic replace, as `kubectl cp`, Docker secrets tooling or an editor would do it. */
async function replaceFile(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

const configText = () => `modules:
  - name: greeter
    type: greeter
    config:
      message: \${env:APP_E2E_GREETING}
  - name: admin
    type: static-response
    config:
      path: /admin
      body: { admin: true }
  - name: ops
    type: static-response
    config:
      path: /ops
      body: { ops: true }
  - name: admin-auth
    type: basic-auth
    config:
      paths: [/admin]
      username: admin
      password: \${file:${volume.path}}
  - name: ops-auth
    type: basic-auth
    config:
      paths: [/ops]
      username: ops
      password: \${file:${join(plain, 'ops-password')}}
# A section no module reads: written literally, under a secret key.
platform:
  apiKey: ${LITERAL}
`;

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

/** A request whose whole reply (status, headers, body) goes into the scan. */
async function call(
  server: ServerProcess,
  path: string,
  init: Parameters<ServerProcess['fetch']>[1] = {},
): Promise<{ status: number; body: string }> {
  const res = await server.fetch(path, init);
  const body = await res.text();
  outputs.push({
    what: `${init.method ?? 'GET'} ${path}`,
    text: `${res.status} ${JSON.stringify([...res.headers])} ${body}`,
  });
  return { status: res.status, body };
}

/** The server's secret flags: the directories, and the greeting's variable by a prefix rule. */
const secretArgs = (...dirs: string[]) => [
  ...dirs.flatMap((d) => ['--secret-dir', d]),
  '--secret-env',
  'APP_E2E_*',
];
const ENV = { APP_E2E_GREETING: GREETING };

beforeAll(async () => {
  await assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'cfg-e2e-secrets-'));
  plain = join(dir, 'plain');
  outside = join(dir, 'outside');
  await Promise.all([mkdir(plain), mkdir(outside)]);
  volume = await SecretVolume.create(join(dir, 'volume'), 'password', seed('admin-password'));
  await writeFile(join(plain, 'ops-password'), `${seed('ops-password')}\n`);
  await writeFile(join(outside, 'not-a-secret-dir'), seed('outside'));
  db = await createTestSchema({ poolSize: 2 });
  store = new PgConfigStore(db.pool, { schema: db.schema });
});
afterAll(async () => {
  for (const stream of streams) stream.close();
  await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

describe('secrets, end to end (real processes)', () => {
  it('file mode: references resolve at load, and a CFG_ variable is never readable by a config', async () => {
    file = join(dir, 'config.yaml');
    await writeFile(file, configText());
    fileServer = await ServerProcess.start(['--config', file, '--watch', ...secretArgs(volume.dir, plain)], {
      env: ENV,
    });
    streams.push(await ReloadEvents.open(fileServer.url, READ_TOKEN));
    expect(await fileServer.hello()).toBe(GREETING); // a module serves what its config says
    const config = JSON.parse((await call(fileServer, '/api/v1/config', { token: ADMIN_TOKEN })).body);
    expect(config.secretPaths).toEqual([
      '/modules/0/config/message',
      '/modules/3/config/password',
      '/modules/4/config/password',
    ]);
    expect(config.config.platform).toEqual({ apiKey: SECRET_MASK });
    expect((await call(fileServer, '/admin')).status).toBe(401);

    const refused = await runCli(['serve', '--config', file, '--secret-env', 'CFG_ADMIN_TOKEN']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/CFG_ variables/);
    outputs.push({ what: 'cfg serve --secret-env CFG_ADMIN_TOKEN', text: refused.stdout + refused.stderr });
  });

  it(`rotation in place, ${ROTATIONS} times (Kubernetes ..data swaps and renames): the new password is accepted, the old refused, no request dropped`, async () => {
    const current = {
      admin: [...SECRETS].find((s) => s.startsWith('admin-password'))!,
      ops: [...SECRETS].find((s) => s.startsWith('ops-password'))!,
    };
    // Load during the rotations: every answer must be 200 or 401 — never an error or a dropped connection.
    const seen = new Map<number, number>();
    const failures: string[] = [];
    let loading = true;
    const load = (async () => {
      while (loading) {
        for (const [user, path] of [
          ['admin', '/admin'],
          ['ops', '/ops'],
        ] as const) {
          try {
            const res = await fileServer.fetch(path, { headers: basic(user, current[user]) });
            outputs.push({ what: `GET ${path} (under load)`, text: `${res.status} ${await res.text()}` });
            seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
            if (res.status !== 200 && res.status !== 401) failures.push(`${path}: ${res.status}`);
          } catch (error) {
            failures.push(`${path}: ${(error as Error).message}`);
          }
        }
      }
    })();

    const latencies: number[] = [];
    const reloadsBefore = streams[0]!.received.length;
    for (let round = 0; round < ROTATIONS; round++) {
      const user = round % 2 === 0 ? 'admin' : 'ops';
      const path = `/${user}`;
      const previous = current[user];
      const next = seed(`${user}-password`);
      const started = performance.now();
      if (user === 'admin') await volume.swap(next);
      else await replaceFile(join(plain, 'ops-password'), `${next}\n`);
      for (;;) {
        const res = await fileServer.fetch(path, { headers: basic(user, next) });
        await res.arrayBuffer();
        if (res.status === 200) break;
        if (performance.now() - started > 10_000)
          throw new Error(`round ${round}: ${path} never took the new password`);
      }
      latencies.push(performance.now() - started);
      current[user] = next;
      expect((await call(fileServer, path, { headers: basic(user, previous) })).status).toBe(401);
      expect((await call(fileServer, path, { headers: basic(user, next) })).status).toBe(200);
    }
    loading = false;
    await load;
    expect(failures).toEqual([]);
    expect(seen.get(200)).toBeGreaterThan(0);

    // Each rotation was an in-place reconfigure of that one module, never a rebuild or a restart.
    await streams[0]!.waitFor(() => streams[0]!.received.length - reloadsBefore >= ROTATIONS);
    const rotations = streams[0]!.received.slice(reloadsBefore);
    expect(rotations.every((e) => e.outcome === 'partial' && e.modules.length === 1)).toBe(true);
    const sorted = [...latencies].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!.toFixed(0);
    console.log(
      `secret rotation → new password accepted (file mode, --watch, ${ROTATIONS} rotations): median ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${sorted.at(-1)!.toFixed(0)} ms; ${[...seen].map(([s, n]) => `${n}× ${s}`).join(', ')} under load, 0 failed`,
    );
  });

  it('a rejected change that quotes a secret is masked in the log, the events, /reloads and /status', async () => {
    const from = fileServer.logs.length;
    const good = configText();
    // A module type taken from a secret file: the rejection says `unknown module type "<value>"`.
    await writeFile(
      file,
      good.replace(
        'platform:',
        `  - name: odd\n    type: \${file:${join(plain, 'ops-password')}}\nplatform:`,
      ),
    );
    const rejected = await streams[0]!.waitFor((e) => e.outcome === 'rejected');
    expect(rejected.error).toContain(`unknown module type "${SECRET_MASK}"`);
    const line = await fileServer.waitForLog((e) => e.outcome === 'rejected', 10_000, from);
    expect(line.msg).toContain(SECRET_MASK);
    expect((await call(fileServer, '/api/v1/reloads', { token: READ_TOKEN })).body).toContain(SECRET_MASK);
    expect((await call(fileServer, '/api/v1/status', { token: READ_TOKEN })).body).toContain(SECRET_MASK);
    // Back to what runs: no reload (the same content), but the rejection no longer holds.
    await writeFile(file, good);
    for (;;) {
      const status = JSON.parse((await call(fileServer, '/api/v1/status', { token: READ_TOKEN })).body);
      if (!status.degraded) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it('database mode: a write reading /etc/passwd or outside the allowed directories is a 422 and stores nothing', async () => {
    const seedFile = join(dir, 'seed.yaml');
    await writeFile(seedFile, configText());
    dbServer = await ServerProcess.start(
      [
        '--database-url',
        db.url,
        '--db-schema',
        db.schema,
        '--config',
        seedFile,
        // Only the secret-directory watch can deliver a rotation in time: the poll is a minute away.
        '--poll-interval-ms',
        '60000',
        ...secretArgs(volume.dir, plain),
      ],
      { env: ENV },
    );
    streams.push(await ReloadEvents.open(dbServer.url, READ_TOKEN));
    expect(await dbServer.hello()).toBe(GREETING);
    const put = (module: string, json: unknown) =>
      call(dbServer, `/api/v1/modules/${module}/config`, { method: 'PUT', json, token: ADMIN_TOKEN });
    for (const reference of ['${file:/etc/passwd}', `\${file:${join(outside, 'not-a-secret-dir')}}`]) {
      const res = await put('ops-auth', { paths: ['/ops'], username: 'ops', password: reference });
      expect(res.status, reference).toBe(422);
      expect(JSON.parse(res.body)).toMatchObject({
        code: 'CFG_ERR_INVALID_REFERENCE',
        problems: [{ code: 'CFG_REF_FILE_NOT_ALLOWED' }],
      });
    }
    const history = JSON.parse((await call(dbServer, '/api/v1/config/history', { token: READ_TOKEN })).body);
    expect(history.history.map((h: { version: number }) => h.version)).toEqual([1]);
    expect((await store.getDocument('default'))!.data).not.toContain('/etc/passwd');
  });

  it('database mode: a rotated file reaches the stored config through the secret-directory watch', async () => {
    const next = seed('ops-password');
    const started = performance.now();
    await replaceFile(join(plain, 'ops-password'), next);
    for (;;) {
      const res = await call(dbServer, '/ops', { headers: basic('ops', next) });
      if (res.status === 200) break;
      expect(performance.now() - started, 'a rotation in database mode').toBeLessThan(10_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The fleet report of the start and the rotation carry no value either.
    const fleet = await call(dbServer, '/api/v1/fleet', { token: READ_TOKEN });
    expect(fleet.status).toBe(200);
  });

  it('cfg diff prints that a secret changed, never its values', async () => {
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    const before = seed('diff-password');
    const after = seed('diff-password');
    const text = (password: string) =>
      `modules:\n  - name: db\n    type: x\n    config:\n      user: app\n      password: ${password}\n`;
    await writeFile(a, text(before));
    await writeFile(b, text(after));
    const plainDiff = await runCli(['diff', a, b]);
    expect(plainDiff.code).toBe(1);
    expect(plainDiff.stdout).toContain('replace /config/password: (secret changed)');
    const json = await runCli(['diff', a, b, '--json']);
    expect(JSON.parse(json.stdout).modules.modified[0].paths[0]).toMatchObject({
      secret: true,
      next: SECRET_MASK,
    });
    outputs.push({ what: 'cfg diff', text: plainDiff.stdout + plainDiff.stderr });
    outputs.push({ what: 'cfg diff --json', text: json.stdout + json.stderr });
  });

  it('the scan: no secret value in any API reply, SSE event, log line or CLI output of this run', async () => {
    for (const server of [fileServer, dbServer]) {
      await server.stop();
      for (const line of `${server.stdout}${server.stderr}`.split('\n'))
        if (line.trim() !== '') outputs.push({ what: 'log', text: line });
    }
    for (const stream of streams)
      for (const event of stream.received) outputs.push({ what: 'sse', text: JSON.stringify(event) });
    const counts = new Map<string, number>();
    for (const { what } of outputs) {
      const kind = what === 'log' || what === 'sse' ? what : what.startsWith('cfg') ? 'cli' : 'http';
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    const hits = outputs.flatMap(({ what, text }) =>
      [...SECRETS].filter((value) => text.includes(value)).map((value) => `${what}: ${value}`),
    );
    console.log(
      `secret scan: ${outputs.length} outputs (${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}), ${SECRETS.size} secret values, ${hits.length} hits`,
    );
    expect(counts.get('log')).toBeGreaterThan(20);
    expect(counts.get('sse')).toBeGreaterThan(ROTATIONS);
    expect(hits).toEqual([]);
  });
});
