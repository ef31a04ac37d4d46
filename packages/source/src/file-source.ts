import { resolve } from 'node:path';
import { type ConfigFileRead, decodeConfigBytes, type FileStamp, readConfigFile } from './config-bytes.js';
import { hashBytes } from './hash.js';
import { IncrementalParser, type IncrementalParseStats } from './incremental-parse.js';
import { LastParse } from './last-parse.js';
import type { ConfigParser } from './parse.js';
import type { ReferenceOptions } from './references/options.js';
import { ReferenceStage } from './references/reference-stage.js';
import type { ConfigSnapshot, ConfigSource, LoadOptions } from './types.js';

const NAME = 'file';

export interface FileSourceOptions {
  /**
   * Text → value step, e.g. js-yaml's `load`. Its result still goes through `toAppConfig`.
   * @defaultValue `parseConfig` (`yaml`, with a `JSON.parse` fast path for JSON text)
   */
  parse?: ConfigParser;
  /**
   * Resolves `${env:…}` and `${file:…}` references after parsing (see "References" in the README).
   * @defaultValue none: `${` is plain text
   */
  references?: ReferenceOptions;
  /**
   * Larger files are refused (`ConfigParseError`) by `load()` and `hash()` alike, before they are
   * read whole.
   * @defaultValue `MAX_DOCUMENT_BYTES` (1 MiB)
   */
  maxDocumentBytes?: number;
  /** The file is an overlay layer: its modules may leave out `type` (`ParseContext.overlay`). @defaultValue false */
  overlay?: boolean;
}

/**
 * One read of a `FileSource`'s file (`FileSource.read()`): its bytes, the stamp of the file they came
 * from, and the hash `hash()` gives for them. `load({ from })` parses these bytes without reading again.
 */
export interface FileRead {
  /** The file as read; do not modify. */
  readonly bytes: Buffer;
  /** Size, mtime, ctime and inode of the opened file, from the `stat` taken before its bytes were read. */
  readonly stamp: FileStamp;
  /** What `hash()` returns for these bytes (`load().hash`), references included. */
  readonly hash: string;
}

/** `FileSource.load` options: besides `signal`, the bytes of an earlier `read()` to load. */
export interface FileLoadOptions extends LoadOptions {
  /** Load these bytes, read by this source's `read()`, instead of reading the file. */
  from?: FileRead;
}

/**
 * A YAML or JSON config file. `load()` reads the file once and hashes and parses those same bytes;
 * `hash()` reads and hashes without parsing. Bytes that the last load parsed are not parsed again:
 * that load's config object is returned; and of changed bytes only the changed blocks are parsed
 * (`IncrementalParser`), the others keep their objects. So treat snapshots as read-only. Symlinks
 * are followed on every read, and `path` stays the path given (resolved to absolute, not to its
 * target), so a swapped symlink keeps its name. Bytes that are not UTF-8 are refused with their
 * position; a large file, or a large change, is parsed in a worker thread unless a custom `parse`
 * is given.
 */
export class FileSource implements ConfigSource {
  /** Absolute path, as given (not resolved through symlinks). */
  readonly path: string;
  /** `file:<absolute path>`. */
  readonly name: string;
  readonly #opts: FileSourceOptions;
  readonly #lastParse = new LastParse();
  readonly #parser: IncrementalParser;
  readonly #references: ReferenceStage;
  /**
   * The text hash of the bytes of each `read()` still held by someone: `load({ from })` then does not
   * hash the same bytes again (SHA-256 of a 2 MB file is ~4 ms). Keyed by the very Buffer, which
   * `FileRead` says not to modify.
   */
  readonly #textHashes = new WeakMap<Buffer, string>();

  constructor(path: string, opts: FileSourceOptions = {}) {
    this.path = resolve(path);
    this.name = `${NAME}:${this.path}`;
    this.#opts = opts;
    const { parse, maxDocumentBytes, overlay } = opts;
    this.#parser = new IncrementalParser({ filename: this.path, parse, maxDocumentBytes, overlay });
    this.#references = new ReferenceStage(opts.references, this.path);
  }

  /** What parsing has cost so far: blocks parsed and reused, bytes parsed (`IncrementalParser`). */
  get parseStats(): IncrementalParseStats {
    return this.#parser.stats;
  }

  /** The files the references of the last parsed text name (absolute, as written), for watchers. */
  referencedFiles(): string[] {
    return this.#references.files;
  }

  /**
   * Reads once and parses and hashes those bytes; with `from`, parses and hashes the bytes of that
   * earlier `read()` instead (no read).
   */
  async load(opts: FileLoadOptions = {}): Promise<ConfigSnapshot> {
    const { from, ...loadOpts } = opts;
    return this.#load(from?.bytes ?? (await this.#read(loadOpts)).bytes, loadOpts);
  }

  async hash(opts: LoadOptions = {}): Promise<string> {
    return (await this.read(opts)).hash;
  }

  /**
   * Reads the file once: its bytes, their stamp and their hash (as `hash()`). Give the result to
   * `load({ from })` to parse those same bytes without reading again: a watcher reads, decides, and
   * loads what it decided on.
   */
  async read(opts: LoadOptions = {}): Promise<FileRead> {
    const { bytes, stamp } = await this.#read(opts);
    const textHash = hashBytes(bytes);
    this.#textHashes.set(bytes, textHash);
    const hash = await this.#references.hash(textHash, {
      ...opts,
      text: bytes,
      load: () => this.#load(bytes, opts),
    });
    return { bytes, stamp, hash };
  }

  async #load(bytes: Buffer, opts: LoadOptions): Promise<ConfigSnapshot> {
    const hash = this.#textHashes.get(bytes) ?? hashBytes(bytes);
    const config = await this.#lastParse.configFor(hash, async () => {
      const text = decodeConfigBytes(bytes, { filename: this.path });
      return (await this.#parser.parseAsync(text, opts)).config;
    });
    const snapshot = { config, hash, source: this.name, loadedAt: new Date() };
    return this.#references.apply(snapshot, {
      ...opts,
      text: () => decodeConfigBytes(bytes, { filename: this.path }),
    });
  }

  #read(opts: LoadOptions): Promise<ConfigFileRead> {
    return readConfigFile(this.path, { ...opts, maxDocumentBytes: this.#opts.maxDocumentBytes });
  }
}
