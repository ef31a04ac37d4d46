import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, assertBuilt, ServerProcess, until } from '../helpers/server-process.js';

const FIXTURE = new URL('../fixtures/config.yaml', import.meta.url);

let db: TestSchema;
let dir: string;
let file: string;
let server: ServerProcess;

beforeAll(async () => {
  await assertBuilt();
  db = await createTestSchema({ poolSize: 1 });
  dir = await mkdtemp(join(tmpdir(), 'cfg-e2e-overlay-'));
  file = join(dir, 'config.yaml');
  await writeFile(file, await readFile(FIXTURE, 'utf8'));
  server = await ServerProcess.start([
    ...['--config', file, '--watch', '--overlay-key', 'overlay'],
    ...['--database-url', db.url, '--db-schema', db.schema],
  ]);
});
afterAll(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
  await db.drop();
});

const flags = async () =>
  ((await (await server.fetch('/flags')).json()) as { flags: Record<string, boolean> }).flags;

describe('file + stored overlay (the pnpm start composition)', () => {
  it('an API write goes to the overlay and wins over later file edits of the keys it set', async () => {
    const res = await server.fetch('/api/v1/modules/greeter/config', {
      method: 'PUT',
      json: { message: 'API wins' },
      token: ADMIN_TOKEN,
    });
    expect(await res.json()).toMatchObject({ persisted: true, version: 2 });
    expect(await server.hello()).toBe('API wins');

    // One save changes the greeter (pinned by the overlay) and a flag (not pinned).
    const text = (await readFile(file, 'utf8'))
      .replace('Hello from', 'File says hello from')
      .replace('new-checkout: true', 'new-checkout: false');
    await writeFile(file, text);
    await until(async () => (await flags())['new-checkout'], false);
    expect(await server.hello()).toBe('API wins');
  });

  it('rolling the overlay back to version 1 (empty) hands every key back to the file', async () => {
    const res = await server.fetch('/api/v1/config/rollback', {
      method: 'POST',
      json: { version: 1 },
      token: ADMIN_TOKEN,
    });
    expect(res.status).toBe(200);
    expect(await server.hello()).toBe('File says hello from the test fixture');
  });

  it('a PUT with nulls runs with its nulls, also after the poller reads the overlay back', async () => {
    const body = { a: null, nested: { b: null } };
    const res = await server.fetch('/api/v1/modules/status-page/config', {
      method: 'PUT',
      json: { path: '/status', body },
      token: ADMIN_TOKEN,
    });
    expect(res.status).toBe(200);
    expect(await (await server.fetch('/status')).json()).toEqual(body);
    // A file save makes the poller load file + stored overlay again: the nulls are still there.
    const text = (await readFile(file, 'utf8')).replace('region: local', 'region: elsewhere');
    const from = server.logs.length;
    await writeFile(file, text);
    await server.waitForLog((e) => e.outcome === 'full', 10_000, from);
    expect(await (await server.fetch('/status')).json()).toEqual(body);
  });
});
