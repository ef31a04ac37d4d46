/**
 * `pnpm --filter @cfg/server screenshots`: regenerates docs/console-*.png, one per view of the web
 * console, from real `cfg serve` processes (overlay mode, two replicas) in Chromium. Needs the
 * server built, Chromium (/usr/bin/chromium or CFG_CHROMIUM) and a PostgreSQL (DATABASE_URL,
 * default postgres://postgres@127.0.0.1:5432/postgres); it works in a schema of its own, dropped after.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../test/helpers/browser.js';
import { ADMIN_TOKEN, assertBuilt, ServerProcess, stopAllServers } from '../test/helpers/cfg-process.js';
import { FIXTURE_FILE } from '../test/helpers/configs.js';

const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url));
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const schema = `cfg_screens_${randomBytes(4).toString('hex')}`;

await assertBuilt();
const admin = new pg.Client({ connectionString: url });
await admin.connect();
const dir = await mkdtemp(join(tmpdir(), 'cfg-screens-'));
const browser = await launchBrowser({ width: 1280, height: 760 });
try {
  const configFile = join(dir, 'config.yaml');
  await copyFile(FIXTURE_FILE, configFile);
  const args = [
    '--config',
    configFile,
    '--watch',
    '--database-url',
    url,
    '--db-schema',
    schema,
    '--overlay-key',
    'overlay',
  ];
  const a = await ServerProcess.start([...args, '--label', 'zone=eu-1']);
  const b = await ServerProcess.start([...args, '--label', 'zone=eu-2']);
  const page = await browser.context.newPage();
  const shot = async (name: string) => {
    await page.screenshot({ path: join(DOCS, `console-${name}.png`), fullPage: false });
    console.log(`docs/console-${name}.png`);
  };

  await page.goto(`${a.url}/`);
  await page.fill('#token', 'a-token-for-the-screenshot');
  await shot('sign-in');
  await page.fill('#token', ADMIN_TOKEN);
  await page.click('button[type=submit]');
  await page.waitForSelector('#modules');

  // Some history: two API writes, a file save, a bad file save (rejected) and its fix.
  await put(a, 'greeter', { message: 'Hello from the console' });
  await put(a, 'limiter', { rps: 50, burst: 100, paths: ['/hello'] });
  const text = await readFile(configFile, 'utf8');
  await writeFile(configFile, text.replace('new-checkout: true', 'new-checkout: false'));
  await until(page, async () => (await get(a, '/api/v1/reloads')).reloads.length >= 3);
  await writeFile(configFile, text.replace('new-checkout: true', 'new-checkout: maybe'));
  await until(page, async () => (await get(a, '/api/v1/reloads')).reloads.length >= 4);
  await writeFile(configFile, text);
  await until(page, async () => (await get(a, '/api/v1/reloads')).reloads.length >= 5);

  await page.goto(`${a.url}/#/overview`);
  await page.waitForSelector('#modules');
  await shot('config');
  await page.click('tr[data-module="limiter"] button.edit');
  await page.fill('#field-rps', '-5');
  await page.click('#editor-save');
  await page.waitForSelector('#error-rps:not(:empty)');
  await shot('edit-error');

  await page.goto(`${a.url}/#/feed`);
  await page.waitForSelector('#stream-state.open');
  await page.waitForSelector('li.reload.rejected');
  await shot('feed');

  await page.goto(`${a.url}/#/history`);
  await page.waitForSelector('#diff-table');
  await shot('history');
  await page.click('#rollback-1');
  await page.waitForSelector('dialog#confirm-rollback[open]');
  await shot('rollback-confirm');
  await page.click('#confirm-rollback-yes');
  await page.waitForSelector('#rollback-done');

  await page.goto(`${a.url}/#/fleet`);
  await until(page, async () => (await page.locator('#fleet-instances tr.instance.live').count()) === 2);
  await shot('fleet');
  await a.stop();
  await b.stop();
} finally {
  await browser.close();
  await stopAllServers();
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
}

async function get(server: ServerProcess, path: string) {
  return (await (await server.fetch(path, { token: ADMIN_TOKEN })).json()) as { reloads: unknown[] };
}

async function put(server: ServerProcess, name: string, config: unknown): Promise<void> {
  const res = await server.fetch(`/api/v1/modules/${name}/config`, {
    method: 'PUT',
    json: config,
    token: ADMIN_TOKEN,
  });
  if (!res.ok) throw new Error(`PUT ${name}: ${res.status} ${await res.text()}`);
}

/** Waits (10 s at most) until `check` holds, re-checking every 50 ms. */
async function until(page: Page, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await page.waitForTimeout(50);
  }
  throw new Error('screenshots: timed out waiting for the console');
}
