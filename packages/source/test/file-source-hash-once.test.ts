import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { FileSource, hashBytes } from '../src/index.js';
import { useTempDir } from './temp-dir.js';

/** Every SHA-256 the package makes, counted (its hashes all go through `createHash`). */
const sha256 = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  return {
    ...crypto,
    createHash: (algorithm: string) => {
      if (algorithm === 'sha256') sha256.count++;
      return crypto.createHash(algorithm);
    },
  };
});

const tempDir = useTempDir();
const text = (n: number) => `modules:\n  - name: a\n    type: t\n    config: { n: ${n} }\n`;

describe('FileSource: the bytes of a read are hashed once', () => {
  it('load({ from }) takes the hash read() made, and a plain load hashes its own read once', async () => {
    const path = join(await tempDir(), 'config.yaml');
    await writeFile(path, text(1));
    const source = new FileSource(path);

    sha256.count = 0;
    const read = await source.read();
    expect(sha256.count).toBe(1);
    const loaded = await source.load({ from: read });
    expect(sha256.count).toBe(1);
    expect(loaded.hash).toBe(read.hash);
    expect(loaded.config.modules[0]?.config).toEqual({ n: 1 });

    await writeFile(path, text(2));
    sha256.count = 0;
    const fresh = await source.load();
    expect(sha256.count).toBe(1);
    expect(fresh.hash).toBe(hashBytes(text(2)));
    expect(fresh.config.modules[0]?.config).toEqual({ n: 2 });
  });

  it('bytes that did not come from its own read() are hashed (never a hash of other bytes)', async () => {
    const path = join(await tempDir(), 'config.yaml');
    await writeFile(path, text(1));
    const source = new FileSource(path);
    const read = await source.read();
    const other = { ...read, bytes: Buffer.from(text(3)) };
    const loaded = await source.load({ from: other });
    expect(loaded.hash).toBe(hashBytes(text(3)));
    expect(loaded.config.modules[0]?.config).toEqual({ n: 3 });
  });
});

describe('hashBytes: a text hashed again', () => {
  it('is not hashed twice in a row, and an equal or a different text still gets its own hash', () => {
    const text = `modules: []\n# ${'x'.repeat(100_000)}\n`;
    sha256.count = 0;
    const first = hashBytes(text);
    expect(hashBytes(text)).toBe(first);
    // An equal text built anew (another string object): the same value, so the same hash.
    expect(hashBytes(`${text.slice(0, 50)}${text.slice(50)}`)).toBe(first);
    expect(sha256.count).toBe(1);
    // The same length, one character changed: hashed.
    const other = `${text.slice(0, -2)}y\n`;
    expect(hashBytes(other)).not.toBe(first);
    expect(sha256.count).toBe(2);
    // Bytes are always hashed (a buffer can change after it was hashed).
    const bytes = Buffer.from(other);
    expect(hashBytes(bytes)).toBe(hashBytes(other));
    bytes[0] = 0x4d; // 'M'
    expect(hashBytes(bytes)).not.toBe(hashBytes(other));
    expect(sha256.count).toBe(4);
  });
});
