import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AppConfig,
  CompositeSource,
  type ConfigSnapshot,
  type ConfigSource,
  ConfigSourceError,
  DatabaseSource,
  FileSource,
  hashConfig,
  hashLayers,
  mergeConfigs,
} from '../src/index.js';
import { MemoryConfigStore } from './memory-store.js';
import { testSource } from './source-contract.js';
import { useTempDir } from './temp-dir.js';

const tempDir = useTempDir();

/** A source over a fixed in-memory config, counting loads; `set` changes it. */
class StaticSource implements ConfigSource {
  loads = 0;
  hashes = 0;
  constructor(
    readonly name: string,
    private config: AppConfig,
  ) {}
  set(config: AppConfig): void {
    this.config = config;
  }
  async load(): Promise<ConfigSnapshot> {
    this.loads++;
    return { config: this.config, hash: hashConfig(this.config), source: this.name, loadedAt: new Date() };
  }
  async hash(): Promise<string> {
    this.hashes++;
    return hashConfig(this.config);
  }
}

const base: AppConfig = {
  modules: [
    { name: 'http', type: 'http.server', config: { port: 8080, limits: { rps: 100, burst: 10 } } },
    { name: 'db', type: 'postgres', config: { pool: 5, ssl: true } },
  ],
  platform: { region: 'eu', tags: { team: 'core' } },
};
const environment: AppConfig = {
  modules: [{ name: 'db', type: 'postgres', config: { pool: 20, ssl: null } }],
  platform: { region: 'us' },
};
const local: AppConfig = {
  modules: [
    { name: 'http', type: 'http.server', config: { limits: { rps: 5 } }, dependsOn: ['db'] },
    { name: 'debug', type: 'inspector' },
  ],
  platform: { tags: null },
};

describe('CompositeSource', () => {
  testSource({
    make: async () => {
      const dir = await tempDir();
      await writeFile(join(dir, 'base.yaml'), 'modules:\n  - name: a\n    type: t\n');
      await writeFile(join(dir, 'local.json'), '{"modules": [], "platform": {"region": "eu"}}');
      return new CompositeSource([
        new FileSource(join(dir, 'base.yaml')),
        new FileSource(join(dir, 'local.json')),
      ]);
    },
    change: (source) =>
      writeFile((source.sources[1] as FileSource).path, '{"modules": [], "platform": {"region": "us"}}'),
    name: /^composite\(file:\/.+base\.yaml,file:\/.+local\.json\)$/,
  });

  it("overlays three layers in order, deleting with null, and hashes its layers' hashes", async () => {
    const source = new CompositeSource([
      new StaticSource('base', base),
      new StaticSource('env', environment),
      new StaticSource('local', local),
    ]);
    expect(source.name).toBe('composite(base,env,local)');
    const snapshot = await source.load();
    const expected: AppConfig = {
      modules: [
        {
          name: 'http',
          type: 'http.server',
          config: { port: 8080, limits: { rps: 5, burst: 10 } },
          dependsOn: ['db'],
        },
        { name: 'db', type: 'postgres', config: { pool: 20 } },
        { name: 'debug', type: 'inspector' },
      ],
      platform: { region: 'us' },
    };
    expect(snapshot.config).toEqual(expected);
    const layerHashes = [base, environment, local].map((c) => hashConfig(c));
    expect(snapshot.hash).toBe(hashLayers(layerHashes));
    expect(layerHashes).not.toContain(snapshot.hash);
    expect(snapshot.layers).toEqual([
      { source: 'base', hash: layerHashes[0] },
      { source: 'env', hash: layerHashes[1] },
      { source: 'local', hash: layerHashes[2] },
    ]);
    expect(snapshot.version).toBeUndefined();
    expect(snapshot.source).toBe(source.name);
  });

  it('never modifies the layers, and its result shares nothing with them', async () => {
    const layers = [base, environment, local].map((c) => structuredClone(c));
    const before = structuredClone(layers);
    const source = new CompositeSource(layers.map((c, i) => new StaticSource(`s${i}`, c)));
    const { config } = await source.load();
    expect(layers).toEqual(before);
    (config.modules[0]?.config as { port: number }).port = 1;
    (config.platform as { region: string }).region = 'mars';
    expect(layers).toEqual(before);
  });

  it('copies even a single layer (a DatabaseSource cache must not be modified through it)', async () => {
    const store = new MemoryConfigStore();
    store.put('default', 'modules:\n  - name: a\n    type: t\n    config: { x: 1 }\n');
    const db = new DatabaseSource(store, { cacheTtlMs: 60_000 });
    const source = new CompositeSource([db]);
    const { config } = await source.load();
    (config.modules[0]?.config as { x: number }).x = 2;
    expect((await db.load()).config.modules[0]?.config).toEqual({ x: 1 });
    expect((await source.load()).config.modules[0]?.config).toEqual({ x: 1 });
  });

  it('without sources is a ConfigSourceError', () => {
    expect(() => new CompositeSource([])).toThrow(ConfigSourceError);
    expect(() => new CompositeSource([])).toThrow(/at least one source/);
  });

  it("hash() loads and merges nothing: it is hashLayers of the layers' hashes", async () => {
    const merges: AppConfig[] = [];
    const layers = [new StaticSource('a', base), new StaticSource('b', environment)];
    const source = new CompositeSource(layers, {
      merge: (lower, upper) => {
        merges.push(upper);
        return mergeConfigs(lower, upper);
      },
    });
    const first = await source.hash();
    expect(first).toBe(hashLayers([hashConfig(base), hashConfig(environment)]));
    expect(await source.hash()).toBe(first);
    expect(layers.map((l) => l.loads)).toEqual([0, 0]);
    expect(merges).toHaveLength(0);

    layers[1]?.set(local);
    const changed = await source.hash();
    expect(changed).not.toBe(first);
    expect(layers.map((l) => l.loads)).toEqual([0, 0]);
    expect(merges).toHaveLength(0);
    expect((await source.load()).hash).toBe(changed);
    expect(merges).toHaveLength(1);
  });

  it("a single layer's hash is not passed on as the composite's own", async () => {
    const layer = new StaticSource('only', base);
    const source = new CompositeSource([layer]);
    expect(await source.hash()).not.toBe(await layer.hash());
    expect((await source.load()).hash).toBe(await source.hash());
  });

  it("carries each layer's hash and version, and `versionFrom` names the layer whose version it takes", async () => {
    const store = new MemoryConfigStore();
    store.put('overlay', 'modules:\n  - name: b\n    type: t\n');
    store.put('overlay', 'modules:\n  - name: c\n    type: t\n');
    const file = new StaticSource('file', base);
    const db = new DatabaseSource(store, { key: 'overlay' });
    const plain = await new CompositeSource([file, db]).load();
    expect(plain.version).toBeUndefined();
    const dbSnapshot = await db.load();
    expect(plain.layers).toEqual([
      { source: 'file', hash: hashConfig(base) },
      { source: 'database:overlay', hash: dbSnapshot.hash, version: 2 },
    ]);
    const versioned = new CompositeSource([file, db], { versionFrom: 1 });
    expect((await versioned.load()).version).toBe(2);
    store.put('overlay', 'modules:\n  - name: d\n    type: t\n');
    const next = await versioned.load();
    expect(next.version).toBe(3);
    expect(next.layers?.[1]).toMatchObject({ version: 3 });
    expect(next.config.modules.map((m) => m.name)).toContain('d');
    expect(() => new CompositeSource([file], { versionFrom: 1 })).toThrow(ConfigSourceError);
  });

  it('one file save, checked as a poller does (hash, then load): the file is parsed once and the layers merged once', async () => {
    const dir = await tempDir();
    const path = join(dir, 'base.yaml');
    const text = (v: number) =>
      `modules:\n${Array.from({ length: 50 }, (_, i) => `  - name: m${i}\n    type: t\n    config: { v: ${i === 25 ? v : 0} }\n`).join('')}`;
    await writeFile(path, text(0));
    const store = new MemoryConfigStore();
    store.put('overlay', 'modules:\n  - name: m3\n    config: { extra: true }\n');
    const file = new FileSource(path);
    let merges = 0;
    const source = new CompositeSource([file, new DatabaseSource(store, { key: 'overlay', overlay: true })], {
      merge: (lower, upper) => {
        merges++;
        return mergeConfigs(lower, upper, { modules: 'patch' });
      },
    });
    const initial = await source.load();
    const [parses, before] = [file.parseStats.parses, merges];

    await writeFile(path, text(1));
    await file.load(); // the file watcher's own load of the saved bytes
    const hash = await source.hash();
    expect(hash).not.toBe(initial.hash);
    const next = await source.load();
    expect(next.hash).toBe(hash);
    expect(next.config.modules[25]?.config).toEqual({ v: 1 });
    expect(file.parseStats.parses - parses).toBe(1);
    expect(merges - before).toBe(1);
  });

  it('subscribe forwards hints from every layer that has them', async () => {
    const stores = [new MemoryConfigStore(), new MemoryConfigStore()];
    for (const store of stores) store.put('default', 'modules: []\n');
    const source = new CompositeSource([
      new DatabaseSource(stores[0]!),
      new StaticSource('static', base),
      new DatabaseSource(stores[1]!),
    ]);
    let hints = 0;
    const unsubscribe = source.subscribe!(() => hints++);
    await expect.poll(() => stores.map((s) => s.subscriberCount)).toEqual([1, 1]);
    stores[0]!.put('default', 'modules: [] # 1\n');
    stores[1]!.put('default', 'modules: [] # 2\n');
    expect(hints).toBe(2);
    unsubscribe();
    await expect.poll(() => stores.map((s) => s.subscriberCount)).toEqual([0, 0]);
    stores[0]!.put('default', 'modules: [] # 3\n');
    expect(hints).toBe(2);
  });

  it('has no subscribe when no layer can push', () => {
    expect(new CompositeSource([new StaticSource('a', base)]).subscribe).toBeUndefined();
  });

  it('propagates a layer error', async () => {
    const source = new CompositeSource([
      new StaticSource('a', base),
      new FileSource('/nonexistent/cfg.yaml'),
    ]);
    await expect(source.load()).rejects.toMatchObject({ code: 'CFG_NOT_FOUND' });
    await expect(source.hash()).rejects.toMatchObject({ code: 'CFG_NOT_FOUND' });
  });

  it('an overlay layer (`overlay: true`) need not repeat `type`; with `modules: patch` it only edits the base', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'base.yaml'),
      'modules:\n  - name: http\n    type: http.server\n    config: { port: 1 }\n',
    );
    const store = new MemoryConfigStore();
    store.put(
      'overlay',
      'modules:\n  - name: http\n    config: { port: 2 }\n  - name: gone\n    config: {}\n',
    );
    const skipped: string[] = [];
    const source = new CompositeSource(
      [new FileSource(join(dir, 'base.yaml')), new DatabaseSource(store, { key: 'overlay', overlay: true })],
      { merge: (a, b) => mergeConfigs(a, b, { modules: 'patch', onSkip: (s) => skipped.push(s.name) }) },
    );
    expect((await source.load()).config.modules).toEqual([
      { name: 'http', type: 'http.server', config: { port: 2 } },
    ]);
    expect(skipped).toEqual(['gone']);
    await expect(new DatabaseSource(store, { key: 'overlay' }).load()).rejects.toMatchObject({
      code: 'CFG_PARSE',
    });
    await writeFile(join(dir, 'local.yaml'), 'modules:\n  - name: http\n    config: { port: 3 }\n');
    expect((await new FileSource(join(dir, 'local.yaml'), { overlay: true }).load()).config.modules).toEqual([
      { name: 'http', config: { port: 3 } },
    ]);
  });

  it('takes a custom merge', async () => {
    const lastWins = (_: AppConfig, overlay: AppConfig) => overlay;
    const source = new CompositeSource([new StaticSource('a', base), new StaticSource('b', local)], {
      merge: lastWins,
    });
    expect((await source.load()).config).toEqual(local);
  });
});
