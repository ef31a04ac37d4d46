import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgConfigStore, VersionConflictError } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import { type AppConfig, hashBytes, hashLayers, parseConfig, setModuleConfig } from '@cfg/source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../helpers/configs.js';
import { ReloadEvents } from '../helpers/reload-events.js';
import { ADMIN_TOKEN, assertBuilt, ServerProcess } from '../helpers/server-process.js';

/**
 * One `cfg serve` in overlay mode (watched file + stored overlay, polled every 100 ms behind
 * NOTIFY) while three inputs change its config at once for RACE_MS: the file is rewritten (in
 * place or by rename; a flag, and the static response, which forces full reloads), another writer
 * commits overlay versions straight to the store, and the API takes PUTs (some invalid): 30 s,
 * ~3,000 changes and hundreds of reloads, partial and full, racing each other, the server's own
 * writes (announced to its poller, not loaded back) among the other writer's. Guarantees: reloads never overlap, nothing is applied out
 * of version order, every reload result is recorded (the SSE ids have no gap and
 * `GET /api/v1/reloads` holds the same results), and once the inputs stop the server runs exactly
 * the last file text merged with the last overlay version — worked out here from what each input
 * last wrote, not with the server's own merge (a bug there would agree with itself).
 */

const RACE_MS = 30_000;
const OVERLAY = 'overlay';

let db: TestSchema;
let store: PgConfigStore;
let dir: string;
let file: string;
let fixture: string;
let server: ServerProcess;

beforeAll(async () => {
  await assertBuilt();
  fixture = await readFixture();
  db = await createTestSchema({ poolSize: 4 });
  store = new PgConfigStore(db.pool, { schema: db.schema });
  dir = await mkdtemp(join(tmpdir(), 'cfg-fault-race-'));
  file = join(dir, 'config.yaml');
  await writeFile(file, fixture);
  server = await ServerProcess.start([
    ...['--config', file, '--watch', '--overlay-key', OVERLAY, '--poll-interval-ms', '100'],
    ...['--database-url', db.url, '--db-schema', db.schema],
  ]);
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

/**
 * Answers that store nothing and say to try again, allowed here: 412, the other writer won every
 * retry of this write; 503, the base file read empty twice, 25 ms apart (the file loop saves in
 * place, truncate then write, and on a loaded machine that gap can outlast the server's one re-read).
 */
const refusedWithoutStoring = (status: number, body: string) =>
  status === 412 || (status === 503 && body.includes('CFG_ERR_SOURCE_UNAVAILABLE'));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const jitter = (min: number, max: number) => sleep(min + Math.random() * (max - min));

/** Runs `step(n)` with n = 1, 2, … until `until`; returns what the last step returned. */
async function loop<T>(until: number, step: (n: number) => Promise<T>): Promise<T | undefined> {
  let last: T | undefined;
  for (let n = 1; performance.now() < until; n++) last = await step(n);
  return last;
}

/**
 * What the server must run once the inputs stop, from what each input last wrote: the file as last
 * saved, the greeter's config exactly as the last accepted PUT sent it (a PUT sets a module's whole
 * config), and the welcome module's `template` replaced by the other writer's (its overlay entry
 * sets that key only; the file's other keys stay).
 */
function expectedConfig(fileText: string, lastMessage: string | undefined, lastTemplate: string): AppConfig {
  const config = parseConfig(fileText, { filename: 'the last file text' });
  const module = (name: string) => config.modules.find((m) => m.name === name)!;
  if (lastMessage !== undefined) module('greeter').config = { message: lastMessage };
  module('welcome').config = { ...module('welcome').config, template: lastTemplate };
  return config;
}

describe('file watcher + database poller + API writes, all at once', () => {
  it(
    `${RACE_MS / 1000} s of racing changes: serial reloads, in order, all recorded, ending on the last input`,
    async () => {
      const events = await ReloadEvents.open(server.url, ADMIN_TOKEN);
      const until = performance.now() + RACE_MS;
      const unexpected: string[] = [];

      // The file: a flag and the static response's body; saved in place or by rename, as editors do.
      const fileWrites = loop(until, async (n) => {
        const checkout = n % 2 === 0;
        const text = fixture
          .replace('new-checkout: true', `new-checkout: ${checkout}`)
          .replace('service: cfg-example', `service: file-${n}`);
        if (n % 3 === 0) {
          await writeFile(`${file}.tmp`, text);
          await rename(`${file}.tmp`, file);
        } else {
          await writeFile(file, text);
        }
        await jitter(20, 80);
        return { text, checkout, service: `file-${n}` };
      });

      // Another writer (a second replica, `cfg push`) commits overlay versions straight to the store.
      const storeWrites = loop(until, async (n) => {
        const template = `DB ${n}: {message}`;
        for (;;) {
          const doc = (await store.getDocument(OVERLAY))!;
          const text = setModuleConfig(doc.data, 'welcome', { template }, { append: { type: 'welcome' } });
          try {
            await store.putDocument(OVERLAY, text, { expectedVersion: doc.version, actor: 'other-writer' });
            break;
          } catch (error) {
            if (!(error instanceof VersionConflictError)) throw error;
          }
        }
        await jitter(20, 80);
        return template;
      });

      // The API: greeter messages, and every 7th an invalid limiter (422, nothing stored).
      let lastMessage: string | undefined;
      const apiWrites = loop(until, async (n) => {
        const invalid = n % 7 === 0;
        const message = `api ${n}`;
        const res = await server.fetch(`/api/v1/modules/${invalid ? 'limiter' : 'greeter'}/config`, {
          method: 'PUT',
          json: invalid ? { rps: -1 } : { message },
          token: ADMIN_TOKEN,
        });
        const expected = invalid ? 422 : 200;
        const body = await res.text();
        if (res.status === expected && !invalid) lastMessage = message;
        else if (res.status !== expected && !refusedWithoutStoring(res.status, body))
          unexpected.push(`PUT ${n}: ${res.status} ${body}`);
        await jitter(10, 40);
      });

      const [lastFile, lastTemplate] = await Promise.all([fileWrites, storeWrites, apiWrites]);
      expect(unexpected).toEqual([]);

      // Quiet now: the server must end on exactly the last file text merged with the last overlay.
      const expected = expectedConfig(lastFile!.text, lastMessage, lastTemplate!);
      // The served hash is a hash of its layers': the last file text's and the overlay document's.
      const overlay = (await store.getDocument(OVERLAY))!;
      expect(overlay.hash).toBe(hashBytes(overlay.data));
      const expectedHash = hashLayers([hashBytes(lastFile!.text), overlay.hash]);
      const overlayVersion = overlay.version;
      const final = await events.waitFor(
        (e) => e.toHash === expectedHash && e.outcome !== 'superseded',
        10_000,
      );
      const config = (await (await server.fetch('/api/v1/config', { token: ADMIN_TOKEN })).json()) as {
        hash: string;
        version: number;
        config: AppConfig;
      };
      expect(config).toMatchObject({ hash: expectedHash, version: overlayVersion });
      expect(config.config).toEqual(expected);
      expect(await server.hello()).toBe(lastMessage);
      expect(
        ((await (await server.fetch('/flags')).json()) as { flags: Record<string, boolean> }).flags,
      ).toMatchObject({
        'new-checkout': lastFile!.checkout,
      });
      expect(await (await server.fetch('/status')).json()).toMatchObject({ service: lastFile!.service });
      expect(((await (await server.fetch('/welcome')).json()) as { message: string }).message).toBe(
        lastTemplate!.replace('{message}', lastMessage!),
      );

      events.close();
      const received = events.received.filter((e) => e.id <= final.id);
      // Every result recorded: SSE ids 1..N without a gap, and GET /reloads holds the newest of them.
      expect(received.map((e) => e.id)).toEqual(Array.from({ length: final.id }, (_, i) => i + 1));
      const listed = (
        (await (await server.fetch('/api/v1/reloads', { token: ADMIN_TOKEN })).json()) as {
          reloads: { id: number; outcome: string; toHash: string }[];
        }
      ).reloads.filter((r) => r.id <= final.id);
      const tail = received.slice(-listed.length).reverse();
      expect(listed.map((r) => [r.id, r.outcome, r.toHash])).toEqual(
        tail.map((e) => [e.id, e.outcome, e.toHash]),
      );

      // Reloads ran one at a time: each applied change started after the previous one ended.
      // (`at` has millisecond resolution, hence the 1 ms of slack.)
      const applied = received.filter((e) => e.outcome !== 'superseded');
      for (let i = 1; i < applied.length; i++) {
        const previous = applied[i - 1]!;
        const previousEnd = Date.parse(previous.at) + previous.durationMs;
        expect(
          Date.parse(applied[i]!.at),
          `reload ${applied[i]!.id} overlaps ${previous.id}`,
        ).toBeGreaterThanOrEqual(previousEnd - 1);
      }
      // Never out of order: the overlay versions applied only go up.
      const changes = applied.filter((e) => e.outcome === 'partial' || e.outcome === 'full');
      for (let i = 1; i < changes.length; i++) {
        const [previous, next] = [changes[i - 1]!, changes[i]!];
        const seen = (e: typeof next) => `#${e.id} ${e.outcome} v${e.version} from ${e.source}`;
        expect(next.version!, `${seen(next)} after ${seen(previous)}`).toBeGreaterThanOrEqual(
          previous.version!,
        );
      }
      // The race really raced: many reloads, partial and full.
      const outcomes = new Set(received.map((e) => e.outcome));
      expect(outcomes).toContain('partial');
      expect(outcomes).toContain('full');
      expect(received.length).toBeGreaterThan(100);
      console.log(
        `race: ${received.length} reload results (${[...outcomes].map((o) => `${o} ${received.filter((e) => e.outcome === o).length}`).join(', ')}); final version ${config.version}`,
      );
    },
    RACE_MS + 60_000,
  );
});
