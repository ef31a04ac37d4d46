import { mkdir, rename, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigNotFoundError,
  ConfigParseError,
  FileSource,
  hashBytes,
  type ModuleConfig,
  parseConfig,
} from '../src/index.js';
import { testSource } from './source-contract.js';
import { useTempDir } from './temp-dir.js';

const tempDir = useTempDir();

const yamlOf = (modules: ModuleConfig[], extra = '') =>
  `modules:\n${modules.map((m) => `  - name: ${m.name}\n    type: ${m.type}\n`).join('')}${extra}`;

async function fileWith(text: string, name = 'config.yaml'): Promise<string> {
  const path = join(await tempDir(), name);
  await writeFile(path, text);
  return path;
}

/** Replaces the file the way editors do: write a temp file, then rename it over the original. */
async function saveAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

describe('FileSource', () => {
  testSource({
    make: async () => new FileSource(await fileWith(yamlOf([{ name: 'a', type: 't' }]))),
    change: (source) => saveAtomically(source.path, yamlOf([{ name: 'b', type: 't' }])),
    name: /^file:\/.+config\.yaml$/,
  });

  it('is named by its absolute path, and loads config with the hash of the file bytes', async () => {
    const text = yamlOf([{ name: 'http', type: 'http.server' }], 'platform: { region: eu }\n');
    const path = await fileWith(text);
    const source = new FileSource(relative(process.cwd(), path));
    expect(source.path).toBe(path);
    expect(source.name).toBe(`file:${path}`);
    const snapshot = await source.load();
    expect(snapshot.hash).toBe(hashBytes(text));
    expect(snapshot.version).toBeUndefined();
    expect(snapshot.config).toEqual({
      modules: [{ name: 'http', type: 'http.server' }],
      platform: { region: 'eu' },
    });
  });

  it('hash() does not parse', async () => {
    let parses = 0;
    const source = new FileSource(await fileWith('{"modules": []}'), {
      parse: (text) => {
        parses++;
        return JSON.parse(text);
      },
    });
    await source.hash();
    await source.hash();
    expect(parses).toBe(0);
    await source.load();
    expect(parses).toBe(1);
  });

  it('does not parse the bytes it parsed last time again (a watcher and a composite read one file)', async () => {
    const parsed: string[] = [];
    const path = await fileWith('{"modules": [{"name": "a", "type": "t"}]}');
    const source = new FileSource(path, {
      parse: (text) => {
        parsed.push(text);
        return JSON.parse(text);
      },
    });
    const first = await source.load();
    const again = await source.load();
    expect(parsed).toHaveLength(1);
    expect(again.config).toBe(first.config);
    expect(again.hash).toBe(first.hash);

    await writeFile(path, '{"modules": [{"name": "b", "type": "t"}]}');
    expect((await source.load()).config.modules[0]?.name).toBe('b');
    // A broken save is parsed (and refused) every time, and remembers nothing.
    await writeFile(path, '{"modules": {}}');
    await expect(source.load()).rejects.toMatchObject({ code: 'CFG_PARSE' });
    await expect(source.load()).rejects.toMatchObject({ code: 'CFG_PARSE' });
    await writeFile(path, '{"modules": [{"name": "a", "type": "t"}]}');
    expect((await source.load()).config.modules[0]?.name).toBe('a');
    expect(parsed).toHaveLength(5);
  });

  it('parses only the changed module of a saved file, and keeps the other modules’ objects', async () => {
    const modules = Array.from({ length: 50 }, (_, i) => ({ name: `m${i}`, type: 't' }));
    const path = await fileWith(yamlOf(modules, 'platform: { region: eu }\n'));
    const source = new FileSource(path);
    const first = await source.load();
    const cold = source.parseStats;
    expect(cold).toMatchObject({ blocks: 1, blocksParsed: 51 });
    const edited = yamlOf(
      modules.map((m, i) => (i === 20 ? { ...m, type: 'changed' } : m)),
      'platform: { region: eu }\n',
    );
    await saveAtomically(path, edited);
    const second = await source.load();
    expect(second.config).toStrictEqual(parseConfig(edited, { filename: path }));
    expect(source.parseStats).toMatchObject({ blocks: 2, blocksParsed: 52, blocksReused: 50 });
    expect(source.parseStats.bytesParsed - cold.bytesParsed).toBe(
      Buffer.byteLength('  - name: m20\n    type: changed\n'),
    );
    expect(second.config.modules.filter((m, i) => m === first.config.modules[i])).toHaveLength(49);
    expect(second.config.modules[20]?.type).toBe('changed');
  });

  it('puts a custom parser result through the structural checks', async () => {
    const source = new FileSource(await fileWith('ignored'), { parse: () => ({ modules: {} }) });
    await expect(source.load()).rejects.toThrow(/`modules` must be a list/);
  });

  it('names the file in parse errors', async () => {
    const path = await fileWith('modules:\n  - name: a\n    type: t\n    type: u\n');
    const error = await new FileSource(path).load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigParseError);
    expect((error as ConfigParseError).message).toBe(`${path}:4:5: duplicate key "type"`);
  });

  it('a missing file is a ConfigNotFoundError naming the path, for load() and hash()', async () => {
    const path = join(await tempDir(), 'missing.yaml');
    const source = new FileSource(path);
    // Both caught at once: the second must not reject unhandled while the first is awaited.
    for (const attempt of [source.load(), source.hash()].map((p) => p.catch((e: unknown) => e))) {
      const error = await attempt;
      expect(error).toBeInstanceOf(ConfigNotFoundError);
      expect(error).toMatchObject({ code: 'CFG_NOT_FOUND', location: path, cause: { code: 'ENOENT' } });
      expect((error as Error).message).toContain(path);
    }
  });

  it('refuses a file over maxDocumentBytes in load() and hash() alike, naming both sizes', async () => {
    const text = yamlOf([{ name: 'a', type: 't' }], `padding: "${'x'.repeat(2_000)}"\n`);
    const path = await fileWith(text);
    const source = new FileSource(path, { maxDocumentBytes: 1_000 });
    for (const attempt of [source.load(), source.hash()].map((p) => p.catch((e: unknown) => e))) {
      const error = await attempt;
      expect(error).toBeInstanceOf(ConfigParseError);
      expect((error as Error).message).toBe(
        `${path}: the document is ${text.length.toLocaleString('en')} bytes, over the limit of 1,000 bytes (maxDocumentBytes); split the config or raise the limit`,
      );
    }
    expect((await new FileSource(path).load()).config.modules).toHaveLength(1); // default: 1 MiB
  });

  it('refuses a huge file from its size, without reading it (a sparse 4 GiB file)', async () => {
    const path = await fileWith('');
    await truncate(path, 4 * 1024 ** 3);
    const error = await new FileSource(path).hash().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigParseError);
    expect((error as Error).message).toMatch(
      /the document is 4,294,967,296 bytes, over the limit of 1,048,576 bytes/,
    );
  });

  it('refuses bytes that are not UTF-8, at the first bad byte, instead of reading U+FFFD', async () => {
    const path = join(await tempDir(), 'latin1.yaml');
    // "café" saved as Latin-1: 0xE9 where UTF-8 needs two bytes.
    await writeFile(
      path,
      Buffer.concat([Buffer.from('modules: []\nname: caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    const error = await new FileSource(path).load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigParseError);
    expect((error as Error).message).toBe(
      `${path}:2:10: invalid UTF-8 (byte 0xE9 at offset 21); save the file as UTF-8`,
    );
  });

  it('other read errors pass through with their own code', async () => {
    const source = new FileSource(await tempDir());
    await expect(source.load()).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('follows symlinks and keeps its name when the link is swapped (Kubernetes ..data style)', async () => {
    const dir = await tempDir();
    for (const [version, module] of [
      ['v1', 'one'],
      ['v2', 'two'],
    ] as const) {
      await mkdir(join(dir, version));
      await writeFile(join(dir, version, 'config.yaml'), yamlOf([{ name: module, type: 't' }]));
    }
    await symlink('v1', join(dir, '..data'));
    await symlink(join('..data', 'config.yaml'), join(dir, 'config.yaml'));
    const source = new FileSource(join(dir, 'config.yaml'));

    const first = await source.load();
    expect(first.config.modules[0]?.name).toBe('one');

    await symlink('v2', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    const second = await source.load();
    expect(second.config.modules[0]?.name).toBe('two');
    expect(second.hash).toBe(await source.hash());
    expect(second.source).toBe(`file:${join(dir, 'config.yaml')}`);
  });

  it('recovers when a file vanishes and comes back', async () => {
    const path = await fileWith(yamlOf([{ name: 'a', type: 't' }]));
    const source = new FileSource(path);
    await unlink(path);
    await expect(source.hash()).rejects.toBeInstanceOf(ConfigNotFoundError);
    await writeFile(path, yamlOf([{ name: 'b', type: 't' }]));
    expect((await source.load()).config.modules[0]?.name).toBe('b');
  });

  it('never pairs a config with the hash of other bytes while the file is being rewritten', async () => {
    // Every version identifies itself (`config.version`); we remember which hash each version's bytes
    // have. A snapshot is honest when its hash belongs to exactly the version its config says.
    const versions = 150;
    const padding = 'x'.repeat(20_000); // big enough that reads and writes take a while
    const texts = Array.from({ length: versions }, (_, i) =>
      yamlOf([{ name: 'app', type: 't' }], `meta:\n  version: ${i}\n  padding: ${padding}\n`),
    );
    const versionByHash = new Map(texts.map((text, i) => [hashBytes(text), i]));
    const path = await fileWith(texts[0]!);
    const source = new FileSource(path);

    let writing = true;
    const writer = (async () => {
      for (const text of texts.slice(1)) await saveAtomically(path, text);
      writing = false;
    })();
    const seen = new Set<number>();
    let loads = 0;
    while (writing) {
      const snapshot = await source.load();
      const version = (snapshot.config.meta as { version: number }).version;
      expect(versionByHash.get(snapshot.hash)).toBe(version);
      seen.add(version);
      loads++;
    }
    await writer;
    expect(loads).toBeGreaterThan(1);
    expect(seen.size).toBeGreaterThan(1); // the loads really ran while the content changed
  });
});
