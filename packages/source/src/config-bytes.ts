import { type FileHandle, open } from 'node:fs/promises';
import { ConfigNotFoundError, ConfigParseError } from './errors.js';
import { checkDocumentSize, MAX_DOCUMENT_BYTES } from './limits.js';

export interface ReadConfigOptions {
  /** Larger files are refused before they are read whole. @defaultValue `MAX_DOCUMENT_BYTES` (1 MiB) */
  maxDocumentBytes?: number;
  signal?: AbortSignal;
}

/** After the first read (its size, plus one byte): a file that grows while read is caught at the limit. */
const GROWTH_CHUNK_BYTES = 64 * 1024;

/**
 * What identifies one version of a file without reading it: equal stamps from two `stat`s mean the
 * file was (almost surely) not written in between. A write within the file system's timestamp
 * granularity that keeps the size is not seen: use it to skip work, with events as the authority.
 */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** A config file's bytes and the stamp of the open file they were read from. */
export interface ConfigFileRead {
  bytes: Buffer;
  /** From the `stat` of the opened file, taken just before its bytes were read. */
  stamp: FileStamp;
}

/** The stamp of a `stat` result. */
export function fileStamp(stats: { size: number; mtimeMs: number; ctimeMs: number; ino: number }): FileStamp {
  return { size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino };
}

/** Both stamps name the same file version (size, mtime, ctime and inode all equal). */
export function sameFileStamp(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs &&
    a.ino === b.ino
  );
}

/**
 * A config file's bytes, never more than the limit: a larger file is refused from its size alone,
 * and one that grows while read (or has no size, like a pipe) is refused once the bytes read pass
 * the limit. A missing file is a `ConfigNotFoundError`; too large is a `ConfigParseError`.
 */
export async function readConfigBytes(path: string, opts: ReadConfigOptions = {}): Promise<Buffer> {
  return (await readConfigFile(path, opts)).bytes;
}

/** `readConfigBytes`, with the stamp of the file read (from the `stat` it makes anyway). */
export async function readConfigFile(path: string, opts: ReadConfigOptions = {}): Promise<ConfigFileRead> {
  const ctx = { filename: path, maxDocumentBytes: opts.maxDocumentBytes ?? MAX_DOCUMENT_BYTES };
  opts.signal?.throwIfAborted();
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw _notFound(error, path) ?? error;
  }
  try {
    const stats = await handle.stat();
    checkDocumentSize(stats.size, ctx);
    const bytes = await readOpenFile(
      handle,
      stats.size,
      (total) => checkDocumentSize(total, ctx),
      opts.signal,
    );
    return { bytes, stamp: fileStamp(stats) };
  } finally {
    await handle.close();
  }
}

/**
 * The whole of an open file whose size was `size` a moment ago. `check(total)` runs after every
 * chunk and throws to stop: a file that grows while read (or has no size, like a pipe) is caught
 * once it passes the caller's limit, never read to its end.
 */
export async function readOpenFile(
  handle: FileHandle,
  size: number,
  check: (total: number) => void,
  signal?: AbortSignal,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  let want = size + 1; // one byte more than the size shows a file that grew
  for (;;) {
    signal?.throwIfAborted();
    const chunk = Buffer.allocUnsafe(want);
    const { bytesRead } = await handle.read(chunk, 0, want, total);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    check(total);
    want = GROWTH_CHUNK_BYTES;
  }
  // The usual case, one read of the whole file: its bytes as read, not a copy (2 MB: ~1 ms).
  if (chunks.length === 1) return chunks[0]!;
  return Buffer.concat(chunks, total);
}

/** `readConfigBytes`, decoded by `decodeConfigBytes`: what `cfg push` and a seed read. */
export async function readConfigText(path: string, opts: ReadConfigOptions = {}): Promise<string> {
  return decodeConfigBytes(await readConfigBytes(path, opts), { filename: path });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * UTF-8 bytes → text. Bytes that are not UTF-8 are refused with a `ConfigParseError` at the first
 * bad byte (`config.yaml:3:9: …`), instead of becoming U+FFFD: a replaced character would make two
 * replicas that read different bytes serve the same value under different hashes. A byte order
 * mark is kept (the parsers skip it).
 */
export function decodeConfigBytes(bytes: Uint8Array, ctx: { filename: string }): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    const { offset, line, column } = _firstInvalidUtf8(bytes);
    const byte = bytes[offset]!.toString(16).toUpperCase().padStart(2, '0');
    throw new ConfigParseError(`invalid UTF-8 (byte 0x${byte} at offset ${offset}); save the file as UTF-8`, {
      file: ctx.filename,
      line,
      column,
    });
  }
}

/**
 * Where the first invalid sequence starts. Decodes with replacement, and walks the text and the
 * bytes together: the first U+FFFD that the bytes do not spell (EF BF BD) is the replaced one.
 * Columns count UTF-16 units, as the parsers' positions do.
 */
function _firstInvalidUtf8(bytes: Uint8Array): { offset: number; line: number; column: number } {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  let offset = 0;
  let line = 1;
  let column = 1;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (
      code === 0xfffd &&
      !(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)
    )
      break;
    offset += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (code === 10) {
      line++;
      column = 1;
    } else column += char.length;
  }
  return { offset, line, column };
}

/** ENOENT / ENOTDIR become a `ConfigNotFoundError` naming the path; anything else is left as is. */
function _notFound(error: unknown, path: string): ConfigNotFoundError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ENOENT' && code !== 'ENOTDIR') return undefined;
  return new ConfigNotFoundError(
    `config file not found: ${path} (create it, or check the path and any symlink it goes through)`,
    path,
    { cause: error },
  );
}
