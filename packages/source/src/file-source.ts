import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigNotFoundError } from './errors.js';
import { hashBytes } from './hash.js';
import { LastParse } from './last-parse.js';
import { type ConfigParser, parseConfigWith } from './parse.js';
import type { ConfigSnapshot, ConfigSource, LoadOptions } from './types.js';

const NAME = 'file';

export interface FileSourceOptions {
  /**
   * Text → value step, e.g. js-yaml's `load`. Its result still goes through `toAppConfig`.
   * @defaultValue `parseConfig` (`yaml`, with a `JSON.parse` fast path for JSON text)
   */
  parse?: ConfigParser;
  /** The file is an overlay layer: its modules may leave out `type` (`ParseContext.overlay`). @defaultValue false */
  overlay?: boolean;
}

/**
 * A YAML or JSON config file. `load()` reads the file once and hashes and parses those same bytes;
 * `hash()` reads and hashes without parsing. Bytes that the last load parsed are not parsed again:
 * that load's config object is returned, so treat snapshots as read-only. Symlinks are followed on every read, and `path` stays
 * the path given (resolved to absolute, not to its target), so a swapped symlink keeps its name.
 */
export class FileSource implements ConfigSource {
  /** Absolute path, as given (not resolved through symlinks). */
  readonly path: string;
  /** `file:<absolute path>`. */
  readonly name: string;
  readonly #parse: ConfigParser | undefined;
  readonly #overlay: boolean;
  readonly #lastParse = new LastParse();

  constructor(path: string, opts: FileSourceOptions = {}) {
    this.path = resolve(path);
    this.name = `${NAME}:${this.path}`;
    this.#parse = opts.parse;
    this.#overlay = opts.overlay ?? false;
  }

  async load(opts: LoadOptions = {}): Promise<ConfigSnapshot> {
    const bytes = await this.#read(opts);
    const hash = hashBytes(bytes);
    const config = this.#lastParse.configFor(hash, () =>
      parseConfigWith(this.#parse, bytes.toString('utf8'), { filename: this.path, overlay: this.#overlay }),
    );
    return { config, hash, source: this.name, loadedAt: new Date() };
  }

  async hash(opts: LoadOptions = {}): Promise<string> {
    return hashBytes(await this.#read(opts));
  }

  async #read(opts: LoadOptions): Promise<Buffer> {
    try {
      return await readFile(this.path, { signal: opts.signal });
    } catch (error) {
      throw _notFound(error, this.path) ?? error;
    }
  }
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
