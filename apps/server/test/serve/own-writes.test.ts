import { PgConfigStore } from '@cfg/pg-store';
import { createTestSchema, type TestSchema } from '@cfg/pg-store/testing';
import type { SourcePoller } from '@cfg/watcher';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
  it('its poller takes them as delivered when NOTIFY reports them, without loading them back', async () => {
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
      }
      // The NOTIFY of the last write has been handled once the poller stands on its hash.
      await vi.waitFor(() => expect(poller.lastHash).toBe(hash), { timeout: 10_000, interval: 5 });
      expect(poller.stats.changes).toBe(0);
      expect(poller.stats.expected).toBeGreaterThanOrEqual(1);
      expect(loads.mock.calls.filter(([k]) => k === key)).toHaveLength(1); // the writer's first read
      expect(runtime.reloader.current).toMatchObject({ version: 6, hash });

      // A write by anyone else still arrives through the poller, and the next API write builds on it.
      const other = (await store.getDocument(key))!.data.replace('rps: 20', 'rps: 25');
      await store.putDocument(key, other, { actor: 'another-replica' });
      await vi.waitFor(() => expect(runtime.reloader.current.version).toBe(7), {
        timeout: 10_000,
        interval: 5,
      });
      expect(poller.stats.changes).toBe(1);
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
      await poller.stop();
      await runtime.close();
    }
  });
});
