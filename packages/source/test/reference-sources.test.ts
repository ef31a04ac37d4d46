/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are reference syntax. */
import { execFileSync } from 'node:child_process';
import { mkdir, rename, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse as yamlParse } from 'yaml';
import {
  CompositeSource,
  type ConfigParser,
  ConfigReferenceError,
  DatabaseSource,
  FileSource,
  firstUsable,
  hashBytes,
  hashConfig,
  hashLayers,
  type ReferenceOptions,
  snapshotSource,
} from '../src/index.js';
import { MemoryConfigStore } from './memory-store.js';
import { testSource } from './source-contract.js';
import { useTempDir } from './temp-dir.js';

const tempDir = useTempDir();

/** A config whose `db` module takes its password from `reference`. */
const configText = (reference: string, extra = '') =>
  `modules:\n  - name: db\n    type: postgres\n    config:\n      user: app\n      password: "${reference}"\n${extra}`;

/** A secrets directory with `password` in it, and a config file referencing it. */
async function setup(password = 'one') {
  const dir = await tempDir();
  const secrets = join(dir, 'secrets');
  await mkdir(secrets);
  const secret = join(secrets, 'password');
  await writeFile(secret, password);
  const file = join(dir, 'config.yaml');
  await writeFile(file, configText(`\${file:${secret}}`));
  return { dir, secrets, secret, file, references: { fileDirs: [secrets] } };
}

/** A FileSource with references whose parses are counted (`yaml`, as the default parser). */
function countingSource(file: string, references: ReferenceOptions) {
  const counter = { parses: 0 };
  const parse: ConfigParser = (text) => {
    counter.parses++;
    return yamlParse(text);
  };
  return { source: new FileSource(file, { references, parse }), counter };
}

const passwordOf = (config: { modules: { config?: Record<string, unknown> }[] }) =>
  config.modules[0]!.config!.password;

describe('FileSource with references', () => {
  testSource({
    make: async () => {
      const { file, references } = await setup();
      return new FileSource(file, { references });
    },
    // A rotated secret is a change like any other.
    change: async (source) => {
      const secret = source.referencedFiles()[0]!;
      await writeFile(secret, 'rotated');
    },
    name: /^file:\/.+config\.yaml$/,
  });

  it('are off by default: `${…}` is plain text and the hash is the file hash', async () => {
    const { file } = await setup();
    const source = new FileSource(file);
    const snapshot = await source.load();
    expect(passwordOf(snapshot.config)).toMatch(/^\$\{file:/);
    expect(snapshot).not.toHaveProperty('secretPaths');
    expect(snapshot.hash).toBe(hashBytes(configText(`\${file:${join(file, '..', 'secrets', 'password')}}`)));
  });

  it('load() resolves them and says where secrets sit and what was read; the file keeps the reference', async () => {
    const { file, secret, references } = await setup();
    const source = new FileSource(file, { references });
    const snapshot = await source.load();
    expect(passwordOf(snapshot.config)).toBe('one');
    expect(snapshot.secretPaths).toEqual(['/modules/0/config/password']);
    expect(snapshot.references).toEqual([{ kind: 'file', path: secret }]);
    expect(source.referencedFiles()).toEqual([secret]);
  });

  it('a rotated secret changes both load().hash and hash(), and hash() reads no text again', async () => {
    const { file, secret, references } = await setup();
    const { source, counter } = countingSource(file, references);
    const first = await source.load();
    expect(await source.hash()).toBe(first.hash);
    await writeFile(secret, 'two');
    const rotatedHash = await source.hash();
    expect(rotatedHash).not.toBe(first.hash);
    expect(counter.parses).toBe(1); // hash() re-read the secret, not the config
    const second = await source.load();
    expect(second.hash).toBe(rotatedHash);
    expect(passwordOf(second.config)).toBe('two');
    expect(counter.parses).toBe(1); // same text: the parse was reused, its references resolved afresh
    // Back to the first value: back to the first hash.
    await writeFile(secret, 'one');
    expect(await source.hash()).toBe(first.hash);
  });

  it('hash() of a text never loaded equals what load() gives, parsing it once for both', async () => {
    const { file, references } = await setup();
    const { source, counter } = countingSource(file, references);
    const hash = await source.hash();
    expect(hash).not.toBe(hashBytes(configText('x')));
    expect((await source.load()).hash).toBe(hash);
    expect(counter.parses).toBe(1);
  });

  it('a text without `${` is never parsed by hash()', async () => {
    const { file, references } = await setup();
    await writeFile(file, 'modules: []\n');
    const { source, counter } = countingSource(file, references);
    expect(await source.hash()).toBe(hashBytes('modules: []\n'));
    expect(counter.parses).toBe(0);
  });

  it('a missing secret fails load() (the caller keeps its last good config) and not hash(); its return is a change', async () => {
    const { file, secret, references } = await setup();
    const source = new FileSource(file, { references });
    const good = await source.load();
    await unlink(secret);
    const error = await source.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigReferenceError);
    expect(error).toMatchObject({ code: 'CFG_PARSE', file, line: 6, column: 18 });
    const missingHash = await source.hash();
    expect(missingHash).not.toBe(good.hash);
    expect(await source.hash()).toBe(missingHash); // stable while missing: reported once per content
    await writeFile(secret, 'three');
    const back = await source.load();
    expect(passwordOf(back.config)).toBe('three');
    expect(await source.hash()).toBe(back.hash);
    expect(back.hash).not.toBe(missingHash);
  });

  it('remembers the files of a text whose references failed, so a watcher can watch for them', async () => {
    const { file, secrets, references } = await setup();
    const other = join(secrets, 'not-yet');
    await writeFile(file, configText(`\${file:${other}}`));
    const source = new FileSource(file, { references });
    await expect(source.load()).rejects.toBeInstanceOf(ConfigReferenceError);
    expect(source.referencedFiles()).toEqual([other]);
  });

  it('a Kubernetes ..data swap is a new hash and a new value', async () => {
    const { dir, file, references } = await setup();
    const volume = join(dir, 'volume');
    await mkdir(join(volume, '..v1'), { recursive: true });
    await writeFile(join(volume, '..v1', 'password'), 'v1');
    await symlink('..v1', join(volume, '..data'));
    await symlink(join('..data', 'password'), join(volume, 'password'));
    await writeFile(file, configText(`\${file:${join(volume, 'password')}}`));
    const source = new FileSource(file, { references: { ...references, fileDirs: [volume] } });
    const first = await source.load();
    expect(passwordOf(first.config)).toBe('v1');
    await mkdir(join(volume, '..v2'));
    await writeFile(join(volume, '..v2', 'password'), 'v2');
    await symlink('..v2', join(volume, '..data_tmp'));
    await rename(join(volume, '..data_tmp'), join(volume, '..data'));
    expect(await source.hash()).not.toBe(first.hash);
    expect(passwordOf((await source.load()).config)).toBe('v2');
  });

  it('an environment variable that changes is a change too', async () => {
    const { file } = await setup();
    await writeFile(file, configText('${env:DB_PASSWORD}'));
    const environment: Record<string, string> = { DB_PASSWORD: 'a' };
    const source = new FileSource(file, { references: { environment } });
    const first = await source.load();
    environment.DB_PASSWORD = 'b';
    expect(await source.hash()).not.toBe(first.hash);
    expect(passwordOf((await source.load()).config)).toBe('b');
  });

  it('the hash is keyed per process: the same text and secret hash differently in another process (needs a build)', async () => {
    const { file, references } = await setup();
    const here = (await new FileSource(file, { references }).load()).hash;
    expect(await new FileSource(file, { references }).hash()).toBe(here);
    const index = new URL('../dist/index.js', import.meta.url).href;
    const script = `const { FileSource } = await import(${JSON.stringify(index)});
      const load = () => new FileSource(process.argv[1], { references: JSON.parse(process.argv[2]) }).load();
      const [a, b] = [await load(), await load()];
      process.stdout.write(JSON.stringify({ hashes: [a.hash, b.hash], secretPaths: a.secretPaths }));`;
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', script, file, JSON.stringify(references)],
      {
        encoding: 'utf8',
      },
    );
    const there = JSON.parse(out) as { hashes: [string, string]; secretPaths: string[] };
    expect(there.secretPaths).toEqual(['/modules/0/config/password']); // it did resolve the reference
    expect(there.hashes[0]).toBe(there.hashes[1]); // stable within that process
    expect(there.hashes[0]).not.toBe(here);
  });
});

describe('DatabaseSource and snapshotSource with references', () => {
  it('the store keeps the reference text; load() resolves it; hash() follows the secret', async () => {
    const { secret, references } = await setup();
    const text = configText(`\${file:${secret}}`);
    const store = new MemoryConfigStore();
    store.put('default', text);
    for (const cacheTtlMs of [0, 60_000]) {
      await writeFile(secret, 'one');
      const source = new DatabaseSource(store, { references, cacheTtlMs });
      const first = await source.load();
      expect(passwordOf(first.config)).toBe('one');
      expect(first).toMatchObject({ version: 1, secretPaths: ['/modules/0/config/password'] });
      expect(await source.hash()).toBe(first.hash);
      await writeFile(secret, 'two');
      const rotated = await source.hash();
      expect(rotated).not.toBe(first.hash);
      const second = await source.load(); // a cached snapshot is not served for a rotated secret
      expect([second.hash, passwordOf(second.config)]).toEqual([rotated, 'two']);
      expect((await store.getDocument('default'))!.data).toBe(text);
    }
  });

  it("a change is read once: the load() after hash() takes the read hash() needed for the new text's references", async () => {
    const { secret, references } = await setup();
    const store = new MemoryConfigStore();
    store.put('default', configText(`\${file:${secret}}`));
    const source = new DatabaseSource(store, { references });
    await source.load();
    const unsubscribe = source.subscribe!(() => {});
    await expect.poll(() => store.subscriberCount).toBe(1);
    const reads = () => store.calls.getDocument;

    // Pushed: the notice's hash stands in for the store's, and the text is read once.
    store.put('default', configText(`\${file:${secret}}`, 'n: 1\n'));
    let before = reads();
    const hash = await source.hash();
    const loaded = await source.load();
    expect([loaded.hash, loaded.version, reads() - before]).toEqual([hash, 2, 1]);

    // Polled (no push channel: the store is asked for the hash), read once too.
    const polled = new DatabaseSource(store.withoutPush(), { references });
    await polled.load();
    store.put('default', configText(`\${file:${secret}}`, 'n: 2\n'));
    before = reads();
    const polledHash = await polled.hash();
    expect([(await polled.load()).hash, reads() - before]).toEqual([polledHash, 1]);

    // Taken once: the next load() reads.
    before = reads();
    await source.load();
    expect(reads()).toBe(before + 1);

    // A notice after hash()'s read began: load() reads what is stored now.
    store.put('default', configText(`\${file:${secret}}`, 'n: a\n'));
    await source.hash();
    store.put('default', configText(`\${file:${secret}}`, 'n: b\n'));
    expect((await source.load()).version).toBe(5);
    unsubscribe();
  });

  it("a hash()'s read older than 250 ms is not taken by load()", async () => {
    const { secret, references } = await setup();
    const store = new MemoryConfigStore();
    store.put('default', configText(`\${file:${secret}}`));
    const source = new DatabaseSource(store, { references });
    await source.load();
    store.put('default', configText(`\${file:${secret}}`, 'n: 1\n'));
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      await source.hash();
      vi.advanceTimersByTime(251);
      const before = store.calls.getDocument;
      await source.load();
      expect(store.calls.getDocument).toBe(before + 1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('atVersion() and snapshotSource() resolve as the live source does, to the same hash', async () => {
    const { secret, references } = await setup();
    const text = configText(`\${file:${secret}}`);
    const store = new MemoryConfigStore();
    store.put('default', text);
    const live = await new DatabaseSource(store, { references }).load();
    const version = new DatabaseSource(store, { references }).atVersion(1);
    expect((await version.load()).hash).toBe(live.hash);
    expect(await version.hash()).toBe(live.hash);
    const saved = { key: 'default', version: 1, hash: hashBytes(text), data: text, savedAt: new Date() };
    const local = snapshotSource(saved, { name: 'database:default', references });
    const fromDisk = await local.load();
    expect([fromDisk.hash, passwordOf(fromDisk.config), await local.hash()]).toEqual([
      live.hash,
      'one',
      live.hash,
    ]);
  });

  it('firstUsable walks past a version whose secret is missing', async () => {
    const { secrets, references } = await setup();
    const store = new MemoryConfigStore();
    store.put('default', configText(`\${file:${join(secrets, 'password')}}`));
    store.put('default', configText(`\${file:${join(secrets, 'new-password')}}`));
    const source = new DatabaseSource(store, { references });
    const { snapshot, skipped } = await firstUsable(source.versions());
    expect(snapshot.version).toBe(1);
    expect(skipped).toEqual([
      expect.objectContaining({
        version: 2,
        code: 'CFG_PARSE',
        message: expect.stringContaining('does not exist'),
      }),
    ]);
  });
});

describe('CompositeSource with referencing layers', () => {
  it('finds the secrets where the merge put them, keys its hash, and follows a rotation', async () => {
    const { dir, secret, references } = await setup();
    const base = join(dir, 'base.yaml');
    await writeFile(base, 'modules:\n  - name: cache\n    type: redis\n');
    const overlay = join(dir, 'overlay.yaml');
    // `db` is the overlay's module 0 and the merged config's module 1.
    await writeFile(overlay, configText(`\${file:${secret}}`));
    const composite = new CompositeSource([new FileSource(base), new FileSource(overlay, { references })]);
    const first = await composite.load();
    expect(first.config.modules[1]!.config!.password).toBe('one');
    expect(first.secretPaths).toEqual(['/modules/1/config/password']);
    expect(first.references).toEqual([{ kind: 'file', path: secret }]);
    expect(first.hash).not.toBe(hashConfig(first.config)); // never the plain hash of a config holding secrets
    expect(await composite.hash()).toBe(first.hash);
    await writeFile(secret, 'two');
    const rotated = await composite.hash();
    expect(rotated).not.toBe(first.hash);
    expect((await composite.load()).hash).toBe(rotated);
  });

  it('without references, the composite hash is hashLayers of the plain text hash', async () => {
    const { dir } = await setup();
    const base = join(dir, 'base.yaml');
    await writeFile(base, 'modules: []\n');
    const snapshot = await new CompositeSource([new FileSource(base, { references: {} })]).load();
    expect(snapshot.hash).toBe(hashLayers([hashBytes('modules: []\n')]));
    expect(snapshot).not.toHaveProperty('secretPaths');
  });
});
