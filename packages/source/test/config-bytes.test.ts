import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigNotFoundError, ConfigParseError, decodeConfigBytes, readConfigText } from '../src/index.js';
import { useTempDir } from './temp-dir.js';

const tempDir = useTempDir();
const ctx = { filename: 'config.yaml' };

/** Decodes and returns the `ConfigParseError` it must throw. */
function decodeError(bytes: Uint8Array): ConfigParseError {
  try {
    decodeConfigBytes(bytes, ctx);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigParseError);
    return error as ConfigParseError;
  }
  throw new Error('expected a ConfigParseError');
}

describe('decodeConfigBytes', () => {
  it('decodes UTF-8 and keeps a byte order mark (the parsers skip it)', () => {
    expect(decodeConfigBytes(Buffer.from('\uFEFFmodules: [] # ünïcødé 🎉\n'), ctx)).toBe(
      '\uFEFFmodules: [] # ünïcødé 🎉\n',
    );
  });

  it('refuses bytes that are not UTF-8 at the first bad one, counting columns as the parsers do', () => {
    const bytes = (...parts: (string | number[])[]) =>
      Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
    // A stray continuation byte after a 4-byte character (two UTF-16 units, as yaml counts columns).
    expect(decodeError(bytes('a: 1\nb: 🎉', [0x80], '\n')).message).toBe(
      'config.yaml:2:6: invalid UTF-8 (byte 0x80 at offset 12); save the file as UTF-8',
    );
    // A sequence cut short, an overlong encoding of "/", a UTF-16 surrogate encoded as UTF-8.
    expect(decodeError(bytes('x: ', [0xe2, 0x82], '\n'))).toMatchObject({ line: 1, column: 4 });
    expect(decodeError(bytes([0xc0, 0xaf]))).toMatchObject({ line: 1, column: 1 });
    expect(decodeError(bytes('ok\n\n', [0xed, 0xa0, 0x80]))).toMatchObject({ line: 3, column: 1 });
  });

  it('is not fooled by a real U+FFFD before the bad byte', () => {
    expect(decodeError(Buffer.concat([Buffer.from('a: \uFFFD '), Buffer.from([0xff])])).column).toBe(6);
  });
});

describe('readConfigText', () => {
  it('reads and decodes a file within the limit', async () => {
    const path = join(await tempDir(), 'c.yaml');
    await writeFile(path, 'modules: []\n');
    expect(await readConfigText(path)).toBe('modules: []\n');
  });

  it('refuses a file over the limit, a missing file, and an aborted read', async () => {
    const path = join(await tempDir(), 'c.yaml');
    await writeFile(path, 'x'.repeat(101));
    await expect(readConfigText(path, { maxDocumentBytes: 100 })).rejects.toThrow(
      `${path}: the document is 101 bytes, over the limit of 100 bytes`,
    );
    await expect(readConfigText(`${path}.missing`)).rejects.toBeInstanceOf(ConfigNotFoundError);
    await expect(readConfigText(path, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
