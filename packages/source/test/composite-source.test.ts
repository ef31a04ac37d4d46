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

  it('overlays three layers in order, deleting with null, and hashes the merged config', async () => {
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
    expect(snapshot.hash).toBe(hashConfig(expected));
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

  it('hash() only loads the layers when one of them changed', async () => {
    const layers = [new StaticSource('a', base), new StaticSource('b', environment)];
    const source = new CompositeSource(layers);
    const first = await source.hash();
    expect(layers.map((l) => l.loads)).toEqual([1, 1]);
    expect(await source.hash()).toBe(first);
    expect(layers.map((l) => l.loads)).toEqual([1, 1]);

    layers[1]?.set(local);
    const changed = await source.hash();
    expect(changed).not.toBe(first);
    expect(changed).toBe((await source.load()).hash);
    expect(changed).toBe(hashConfig((await source.load()).config));
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
