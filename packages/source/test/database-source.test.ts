import { describe, expect, it, vi } from 'vitest';
import {
  type ConfigDocumentStore,
  ConfigNotFoundError,
  ConfigParseError,
  ConfigSourceError,
  DatabaseSource,
  hashBytes,
  parseConfig,
} from '../src/index.js';
import { MemoryConfigStore } from './memory-store.js';
import { recordingLogger } from './recording-logger.js';
import { testSource } from './source-contract.js';

const doc = (module: string) => `modules:\n  - name: ${module}\n    type: t\n`;

function storeWith(data: string, key = 'default'): MemoryConfigStore {
  const store = new MemoryConfigStore();
  store.put(key, data);
  return store;
}

/** A store whose `subscribe` resolves only when `ready()` is called, recording what happened. */
function slowSubscribeStore(inner: MemoryConfigStore) {
  let ready = () => {};
  const gate = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const events: string[] = [];
  const store: ConfigDocumentStore = {
    getDocument: (key) => inner.getDocument(key),
    getDocumentHash: (key) => inner.getDocumentHash(key),
    subscribe: async (listener, opts) => {
      await gate;
      const stop = await inner.subscribe(listener, opts);
      events.push('subscribed');
      return async () => {
        await stop();
        events.push('released');
      };
    },
  };
  return { store, ready, events };
}

describe('DatabaseSource', () => {
  for (const cacheTtlMs of [0, 60_000]) {
    describe(`contract, cacheTtlMs ${cacheTtlMs}`, () => {
      let store = new MemoryConfigStore();
      testSource({
        make: () => {
          store = storeWith(doc('a'), 'app');
          return new DatabaseSource(store, { key: 'app', cacheTtlMs });
        },
        change: () => {
          store.put('app', doc('b'));
        },
        name: /^database:app$/,
      });
    });
  }

  it('takes config, hash and version from one document read', async () => {
    const store = storeWith(doc('a'));
    store.put('default', doc('b'));
    const source = new DatabaseSource(store);
    expect(source.name).toBe('database:default');
    const snapshot = await source.load();
    expect(store.calls).toEqual({ getDocument: 1, getDocumentHash: 0, history: 0, getVersion: 0 });
    expect(snapshot).toMatchObject({ hash: hashBytes(doc('b')), version: 2, source: 'database:default' });
    expect(snapshot.config.modules[0]?.name).toBe('b');
  });

  it('hash() asks the store for the hash only', async () => {
    const store = storeWith(doc('a'));
    const source = new DatabaseSource(store, { cacheTtlMs: 60_000 });
    await source.load();
    expect(await source.hash()).toBe(hashBytes(doc('a')));
    store.put('default', doc('b'));
    expect(await source.hash()).toBe(hashBytes(doc('b')));
    expect(store.calls).toEqual({ getDocument: 1, getDocumentHash: 2, history: 0, getVersion: 0 });
  });

  it('without a TTL reads the document on every load', async () => {
    const store = storeWith(doc('a'));
    const source = new DatabaseSource(store);
    await source.load();
    await source.load();
    expect(store.calls.getDocument).toBe(2);
  });

  it('with a TTL reuses the parsed snapshot while the stored hash is unchanged', async () => {
    let parses = 0;
    const store = storeWith('{"modules": []}');
    const source = new DatabaseSource(store, {
      cacheTtlMs: 60_000,
      parse: (text) => {
        parses++;
        return JSON.parse(text);
      },
    });
    const first = await source.load();
    const second = await source.load();
    expect(second).toBe(first);
    expect(parses).toBe(1);
    expect(store.calls).toEqual({ getDocument: 1, getDocumentHash: 1, history: 0, getVersion: 0 });
  });

  it('without a TTL still reads every time, but does not parse the bytes it parsed last time again', async () => {
    let parses = 0;
    const store = storeWith('{"modules": []}');
    const source = new DatabaseSource(store, {
      parse: (text) => {
        parses++;
        return JSON.parse(text);
      },
    });
    const first = await source.load();
    const second = await source.load();
    expect(second.config).toBe(first.config);
    expect(parses).toBe(1);
    expect(store.calls.getDocument).toBe(2);
    store.put('default', '{"modules": [{"name": "b", "type": "t"}]}');
    expect((await source.load()).config.modules[0]?.name).toBe('b');
    expect(parses).toBe(2);
  });

  it('parses only the changed blocks of the next version of the document (a replica)', async () => {
    const modules = (changed: number) =>
      Array.from(
        { length: 30 },
        (_, i) => `  - name: m${i}\n    type: t\n    config: { v: ${i === changed ? 1 : 0} }\n`,
      );
    const version = (changed: number) => `modules:\n${modules(changed).join('')}platform: {}\n`;
    const store = storeWith(version(-1));
    const source = new DatabaseSource(store);
    const first = await source.load();
    store.put('default', version(7));
    const second = await source.load();
    expect(second.version).toBe(2);
    expect(second.config).toStrictEqual(parseConfig(version(7), { filename: source.name }));
    expect(source.parseStats).toMatchObject({ parses: 2, blocksParsed: 31 + 1, blocksReused: 30 });
    expect(second.config.modules[8]).toBe(first.config.modules[8]);
  });

  it("a replica applying the next version of a 1,000-module document parses about one module's bytes", async () => {
    const moduleText = (i: number, v: number) =>
      `  - name: m${i}\n    type: t\n    config:\n      port: ${8000 + i}\n      v: ${v}\n`;
    const version = (changed: number) =>
      `modules:\n${Array.from({ length: 1_000 }, (_, i) => moduleText(i, i === changed ? 1 : 0)).join('')}platform: {}\n`;
    const store = storeWith(version(-1));
    const source = new DatabaseSource(store);
    let hints = 0;
    const unsubscribe = source.subscribe!(() => hints++);
    await expect.poll(() => store.subscriberCount).toBe(1);
    await source.load();
    const cold = source.parseStats;
    store.put('default', version(500));
    expect(hints).toBe(1);
    // What a poller does on the hint: hash(), then load().
    const hashReads = store.calls.getDocumentHash;
    const hash = await source.hash();
    const next = await source.load();
    expect(next.hash).toBe(hash);
    expect(store.calls.getDocumentHash).toBe(hashReads);
    expect(next.config).toStrictEqual(parseConfig(version(500), { filename: source.name }));
    const parsed = source.parseStats.bytesParsed - cold.bytesParsed;
    expect(source.parseStats.blocksParsed - cold.blocksParsed).toBe(1);
    expect(parsed).toBeLessThanOrEqual(Buffer.byteLength(moduleText(500, 1)) + 1);
    unsubscribe();
  });

  it('never returns the cached config after the document changed (the Go original lost changes here)', async () => {
    const store = storeWith(doc('a'));
    const source = new DatabaseSource(store, { cacheTtlMs: 60_000 });
    expect((await source.load()).config.modules[0]?.name).toBe('a');

    // The poller's sequence: a fresh hash says "changed", then load() must deliver that change.
    store.put('default', doc('b'));
    const fresh = await source.hash();
    const snapshot = await source.load();
    expect(snapshot.hash).toBe(fresh);
    expect(snapshot.config.modules[0]?.name).toBe('b');
    expect(snapshot.version).toBe(2);

    // And without a hash() call first.
    store.put('default', doc('c'));
    expect((await source.load()).config.modules[0]?.name).toBe('c');
  });

  it('re-reads once the TTL has passed', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const store = storeWith(doc('a'));
      const source = new DatabaseSource(store, { cacheTtlMs: 1_000 });
      await source.load();
      vi.advanceTimersByTime(999);
      await source.load();
      expect(store.calls.getDocument).toBe(1);
      vi.advanceTimersByTime(1);
      await source.load();
      expect(store.calls.getDocument).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a missing document is a ConfigNotFoundError, also when it was cached before', async () => {
    const store = storeWith(doc('a'));
    const source = new DatabaseSource(store, { key: 'default', cacheTtlMs: 60_000 });
    await source.load();
    store.delete('default');
    // Both caught at once: the second must not reject unhandled while the first is awaited.
    for (const attempt of [source.load(), source.hash()].map((p) => p.catch((e: unknown) => e))) {
      const error = await attempt;
      expect(error).toBeInstanceOf(ConfigNotFoundError);
      expect(error).toMatchObject({ code: 'CFG_NOT_FOUND', location: 'default' });
      expect((error as Error).message).toContain('"default"');
    }
  });

  it('reports parse errors against the source name', async () => {
    const source = new DatabaseSource(storeWith('modules:\n  - name: a\n    name: b\n'));
    const error = await source.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigParseError);
    expect((error as Error).message).toBe('database:default:3:5: duplicate key "name"');
  });

  it('refuses a stored document over maxDocumentBytes (stored by hand, or under a higher limit)', async () => {
    const data = `${doc('a')}padding: "${'é'.repeat(500)}"\n`; // 'é' is 2 bytes: bytes are what count
    const bytes = Buffer.byteLength(data);
    expect(data.length).toBeLessThan(1_000);
    const error = await new DatabaseSource(storeWith(data), { maxDocumentBytes: 1_000 })
      .load()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigParseError);
    expect((error as Error).message).toMatch(
      `database:default: the document is ${bytes.toLocaleString('en')} bytes, over the limit of 1,000 bytes`,
    );
    expect((await new DatabaseSource(storeWith(data)).load()).config.modules).toHaveLength(1);
  });

  it('pairs data with its own hash even when the store hash is stale, and warns', async () => {
    const store = new MemoryConfigStore();
    store.putRaw({
      key: 'default',
      data: doc('new'),
      hash: hashBytes(doc('old')),
      version: 3,
      updatedAt: new Date(),
    });
    const logger = recordingLogger();
    const snapshot = await new DatabaseSource(store, { logger }).load();
    expect(snapshot.config.modules[0]?.name).toBe('new');
    expect(snapshot.hash).toBe(hashBytes(doc('new')));
    expect(logger.warnings).toEqual([expect.stringMatching(/stored hash does not match/)]);
  });

  describe('subscribe', () => {
    it('forwards notices for its own key only, and hints on reconnect', async () => {
      const store = storeWith(doc('a'));
      const source = new DatabaseSource(store);
      let hints = 0;
      const unsubscribe = source.subscribe!(() => hints++);
      await expect.poll(() => store.subscriberCount).toBe(1);

      store.put('default', doc('b'));
      store.put('other', doc('x'));
      expect(hints).toBe(1);
      store.reconnect();
      expect(hints).toBe(2);

      unsubscribe();
      unsubscribe(); // idempotent
      await expect.poll(() => store.subscriberCount).toBe(0);
      store.put('default', doc('c'));
      store.reconnect();
      expect(hints).toBe(2);
    });

    it("hash() right after a notice takes the notice's hash instead of asking the store, once", async () => {
      const store = storeWith(doc('a'));
      const { source, unsubscribe } = await loadedAndSubscribed(store);
      const before = store.calls.getDocumentHash;

      const written = store.put('default', doc('b'));
      expect(await source.hash()).toBe(written.hash);
      expect(store.calls.getDocumentHash).toBe(before);
      // Used once: the next check (a poll) asks the store.
      expect(await source.hash()).toBe(written.hash);
      expect(store.calls.getDocumentHash).toBe(before + 1);

      // A notice the last load already reached says nothing new: the store is asked.
      store.put('default', doc('c'));
      expect((await source.load()).version).toBe(3);
      expect(await source.hash()).toBe(hashBytes(doc('c')));
      expect(store.calls.getDocumentHash).toBe(before + 2);
      unsubscribe();
    });

    it('after a reconnect, or a deletion notice, hash() asks the store (notices may have been lost)', async () => {
      const store = storeWith(doc('a'));
      const { source, unsubscribe } = await loadedAndSubscribed(store);
      store.put('default', doc('b'));
      store.reconnect();
      const before = store.calls.getDocumentHash;
      expect(await source.hash()).toBe(hashBytes(doc('b')));
      expect(store.calls.getDocumentHash).toBe(before + 1);
      unsubscribe();
    });

    it('a stale notice cannot hide a newer document: the load says what is stored', async () => {
      const store = storeWith(doc('a'));
      const { source, unsubscribe } = await loadedAndSubscribed(store);
      store.put('default', doc('b'));
      // Written behind the push channel's back: no notice for version 3.
      store.putRaw({
        key: 'default',
        data: doc('c'),
        hash: hashBytes(doc('c')),
        version: 3,
        updatedAt: new Date(),
      });
      expect(await source.hash()).toBe(hashBytes(doc('b')));
      const loaded = await source.load();
      expect(loaded).toMatchObject({ version: 3, hash: hashBytes(doc('c')) });
      expect(await source.hash()).toBe(hashBytes(doc('c')));
      unsubscribe();
    });

    it('an unsubscribe before the store finished subscribing still releases it, and no hint leaks', async () => {
      const inner = storeWith(doc('a'));
      const { store, ready, events } = slowSubscribeStore(inner);
      const source = new DatabaseSource(store);
      let hints = 0;
      const unsubscribe = source.subscribe!(() => hints++);
      unsubscribe();
      ready();
      await expect.poll(() => events).toEqual(['subscribed', 'released']);
      expect(inner.subscriberCount).toBe(0);
      inner.put('default', doc('b'));
      expect(hints).toBe(0);
    });

    it('logs, instead of throwing, when the store cannot subscribe', async () => {
      const inner = storeWith(doc('a'));
      const logger = recordingLogger();
      const store: ConfigDocumentStore = {
        getDocument: (key) => inner.getDocument(key),
        getDocumentHash: (key) => inner.getDocumentHash(key),
        subscribe: () => Promise.reject(new Error('connection refused')),
      };
      const unsubscribe = new DatabaseSource(store, { logger }).subscribe!(() => {});
      await expect.poll(() => logger.warnings).toEqual(['could not subscribe to store notifications']);
      unsubscribe();
    });

    it('is absent when the store cannot push', () => {
      const inner = storeWith(doc('a'));
      const store: ConfigDocumentStore = {
        getDocument: (key) => inner.getDocument(key),
        getDocumentHash: (key) => inner.getDocumentHash(key),
      };
      expect(new DatabaseSource(store).subscribe).toBeUndefined();
    });
  });

  describe('atVersion and versions: reading past the newest version', () => {
    /** A store holding `datas` as versions 1, 2, … of "default". */
    const storeOf = (...datas: string[]) => {
      const store = new MemoryConfigStore();
      for (const data of datas) store.put('default', data);
      return store;
    };
    const collect = async (source: DatabaseSource, limit?: number) => {
      const versions: (number | undefined)[] = [];
      for await (const candidate of source.versions(limit === undefined ? {} : { limit })) {
        versions.push((candidate as { version?: number }).version);
      }
      return versions;
    };

    it('atVersion loads one stored version, under the same name, with its own hash and version', async () => {
      const source = new DatabaseSource(storeOf(doc('a'), doc('b'), doc('c')));
      const v2 = source.atVersion(2);
      expect(v2.name).toBe('database:default');
      expect(v2.version).toBe(2);
      const snapshot = await v2.load();
      expect(snapshot).toMatchObject({ hash: hashBytes(doc('b')), version: 2, source: 'database:default' });
      expect(snapshot.config.modules[0]?.name).toBe('b');
      expect(await v2.hash()).toBe(hashBytes(doc('b')));
    });

    it('atVersion of a deletion is a ConfigNotFoundError; a bad version a ConfigParseError', async () => {
      const store = storeOf(doc('a'), 'modules: [\n');
      store.delete('default');
      const source = new DatabaseSource(store);
      await expect(source.atVersion(3).load()).rejects.toBeInstanceOf(ConfigNotFoundError);
      await expect(source.atVersion(2).load()).rejects.toBeInstanceOf(ConfigParseError);
    });

    it('versions() hands out the stored versions newest first, a page of history at a time', async () => {
      const store = storeOf(...Array.from({ length: 45 }, (_, i) => doc(`m${i}`)));
      const source = new DatabaseSource(store);
      const all = await collect(source, 1_000);
      expect(all).toEqual(Array.from({ length: 45 }, (_, i) => 45 - i));
      expect(store.calls.history).toBe(3);
      expect(await collect(source, 3)).toEqual([45, 44, 43]);
      expect(await collect(source)).toHaveLength(45); // default limit 100
    });

    it('versions() stops at a deletion: what came before belongs to an earlier life of the key', async () => {
      const store = storeOf(doc('old'));
      store.delete('default');
      store.put('default', doc('new-1'));
      store.put('default', doc('new-2'));
      expect(await collect(new DatabaseSource(store))).toEqual([4, 3]);
    });

    it('versions() hands out the source itself when there is no history to walk', async () => {
      const deleted = storeOf(doc('a'));
      deleted.delete('default');
      const never = new MemoryConfigStore();
      const noHistory: ConfigDocumentStore = {
        getDocument: (key) => never.getDocument(key),
        getDocumentHash: (key) => never.getDocumentHash(key),
      };
      for (const store of [deleted, never, noHistory]) {
        const source = new DatabaseSource(store);
        const candidates: unknown[] = [];
        for await (const candidate of source.versions()) candidates.push(candidate);
        expect(candidates).toEqual([source]);
        await expect(source.load()).rejects.toBeInstanceOf(ConfigNotFoundError);
      }
    });

    it('atVersion needs a store that can read old versions', () => {
      const inner = storeWith(doc('a'));
      const store: ConfigDocumentStore = {
        getDocument: (key) => inner.getDocument(key),
        getDocumentHash: (key) => inner.getDocumentHash(key),
      };
      expect(() => new DatabaseSource(store).atVersion(1)).toThrow(ConfigSourceError);
    });
  });
});

/** A DatabaseSource over `store` that loaded once and listens for notices. */
async function loadedAndSubscribed(store: MemoryConfigStore) {
  const source = new DatabaseSource(store);
  await source.load();
  const unsubscribe = source.subscribe!(() => {});
  await expect.poll(() => store.subscriberCount).toBe(1);
  return { source, unsubscribe };
}
