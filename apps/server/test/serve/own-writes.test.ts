import { PgConfigStore } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import type { SourcePoller } from '@cfg/watcher';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Greeter } from '../../src/engine/modules/greeter.js';
import { Runtime } from '../../src/runtime.js';
import { openSources } from '../../src/serve/open-sources.js';
import { readFixture } from '../helpers/configs.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let db: TestSchema;
let store: PgConfigStore;
beforeAll(async () => {
  db = await createTestSchema({ poolSize: 4 });
  store = new PgConfigStore(db.pool, { schema: db.schema });
  await store.migrate();
});
afterAll(() => db.drop());

describe('database mode: a server applies its own API writes once', () => {
  it('each is applied once, though its poller loads it back; the writer reads the document once', async () => {
    const key = 'own-writes';
    await store.putDocument(key, await readFixture(), { actor: 'seed' });
    const sources = await openSources(
      { kind: 'database', key },
      { store, pollIntervalMs: 600_000, logger: quiet },
    );
    const runtime = await Runtime.create({ initial: sources.initial, writer: sources.writer });
    const [watch] = await sources.watch(runtime);
    const poller = watch as SourcePoller;
    const loads = vi.spyOn(store, 'getDocument');
    const greeter = runtime.engine.getModule('greeter') as Greeter;
    const reconfigures = vi.spyOn(greeter, 'reconfigure');
    try {
      const ctx = { actor: 'test', validate: () => [] };
      let hash = '';
      for (let i = 1; i <= 5; i++) {
        const outcome = await sources.writer.writeModuleConfig(
          runtime.reloader.current,
          'greeter',
          { message: `write ${i}` },
          ctx,
        );
        await runtime.handleChange(outcome.snapshot);
        hash = outcome.snapshot.hash;
        // Its NOTIFY handled: the poller loaded the write back and handed it over (a noop, or the
        // twin of the write's own snapshot still waiting), and the reloader is done with both.
        await vi.waitFor(
          () => {
            expect(poller.lastHash).toBe(hash);
            expect(runtime.reloader.status()).toMatchObject({ reloading: false, queued: 0 });
          },
          { timeout: 10_000, interval: 5 },
        );
      }
      expect(poller.stats.changes).toBe(5);
      // The writer's first read (later edits start from its open copy), and the poller's one per write
      // (counted together: the poller's may come before the write returns).
      expect(loads).toHaveBeenCalledTimes(1 + 5);
      expect(runtime.reloader.current).toMatchObject({ version: 6, hash });
      // Applied once each: one reconfigure and one recorded reload per write, versions in order.
      expect(reconfigures).toHaveBeenCalledTimes(5);
      expect(runtime.reloader.status().counts).toMatchObject({ partial: 5, superseded: 0, rejected: 0 });
      expect(runtime.reloads.list().map((r) => [r.outcome, r.version])).toEqual(
        [2, 3, 4, 5, 6].reverse().map((v) => ['partial', v]),
      );

      // A write by anyone else still arrives through the poller, and the next API write builds on it.
      const other = (await store.getDocument(key))!.data.replace('rps: 20', 'rps: 25');
      await store.putDocument(key, other, { actor: 'another-replica' });
      await vi.waitFor(() => expect(runtime.reloader.current.version).toBe(7), {
        timeout: 10_000,
        interval: 5,
      });
      expect(poller.stats.changes).toBe(6);
      const outcome = await sources.writer.writeModuleConfig(
        runtime.reloader.current,
        'greeter',
        { message: 'after the other replica' },
        ctx,
      );
      await runtime.handleChange(outcome.snapshot);
      expect(runtime.reloader.current.version).toBe(8);
      const text = (await store.getDocument(key))!.data;
      expect(text).toContain('rps: 25');
      expect(text).toContain('message: after the other replica');
    } finally {
      loads.mockRestore();
      reconfigures.mockRestore();
      await poller.stop();
      await runtime.close();
    }
  });
});
