import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { hashBytes } from './hash.js';
import { LastParse } from './last-parse.js';
import type { ConfigParser } from './parse.js';
import { parseConfigAsync } from './parse-async.js';
import type { ReferenceOptions } from './references/options.js';
import { ReferenceStage } from './references/reference-stage.js';
import type { ConfigSource, Logger } from './types.js';

/** The file format's version; a file with another one is not read. */
const FORMAT = 1;

/** A document as it was last applied, kept on local disk for a start without the store. */
export interface LocalSnapshot {
  key: string;
  version?: number;
  /** SHA-256 hex of `data` (`hashBytes`); a file whose text does not match it is never used. */
  hash: string;
  /** The document text exactly as it was stored. */
  data: string;
  /** Which store it came from (see `SnapshotFileOptions.origin`). */
  origin?: string;
  savedAt: Date;
}

export interface SnapshotFileOptions {
  /**
   * Names the store the documents come from (e.g. `host:port/database#schema`). It is saved with
   * each snapshot, and `read` ignores a snapshot saved for another one.
   * @defaultValue none: not checked
   */
  origin?: string;
  /**
   * Largest file `read` accepts, in bytes; a larger one is ignored.
   * @defaultValue `64 * 1024 * 1024`
   */
  maxBytes?: number;
  /** Told why a snapshot was ignored, and about saves that failed. */
  logger?: Logger;
}

/**
 * The last-known-good document of one key, in one local file (what the Apollo and Nacos clients
 * keep): `save` it after each applied version, `read` it when the store cannot be reached at start.
 * A save replaces the file atomically (temp file, fsync, rename, fsync of the directory), so a
 * crash leaves the previous snapshot or the new one, never a torn file. Saves from one instance run
 * one at a time, in call order.
 */
export class SnapshotFile {
  readonly path: string;
  readonly #opts: SnapshotFileOptions & { maxBytes: number };
  #saving: Promise<unknown> = Promise.resolve();
  /** The directory was created (or found); a failed save makes the next one check again. */
  #dirMade = false;

  constructor(path: string, opts: SnapshotFileOptions = {}) {
    this.path = resolve(path);
    this.#opts = { maxBytes: 64 * 1024 * 1024, ...opts };
  }

  /** Replaces the file with `doc` (its hash computed here); resolves once it is on disk. */
  save(doc: { key: string; version?: number; data: string }): Promise<LocalSnapshot> {
    const snapshot: LocalSnapshot = {
      key: doc.key,
      ...(doc.version === undefined ? {} : { version: doc.version }),
      hash: hashBytes(doc.data),
      data: doc.data,
      ...(this.#opts.origin === undefined ? {} : { origin: this.#opts.origin }),
      savedAt: new Date(),
    };
    const saved = this.#saving.then(() => this.#write(snapshot));
    this.#saving = saved.catch(() => {});
    return saved.then(() => snapshot);
  }

  /**
   * The snapshot saved for `key`, or `undefined` when there is none, or none to trust: unreadable,
   * larger than `maxBytes`, not a snapshot file, saved for another key or origin, or with text
   * that does not match its hash. Each reason to ignore a file is logged as a warning.
   */
  async read(key: string): Promise<LocalSnapshot | undefined> {
    const ignore = (reason: string, err?: unknown): undefined => {
      this.#opts.logger?.warn(
        { path: this.path, key, ...(err ? { err: (err as Error).message } : {}) },
        `ignoring the local snapshot ${this.path}: ${reason}`,
      );
      return undefined;
    };
    let text: string;
    try {
      const { size } = await stat(this.path);
      if (size > this.#opts.maxBytes) return ignore(`${size} bytes is more than ${this.#opts.maxBytes}`);
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return ignore('it cannot be read', error);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return ignore('it is not JSON', error);
    }
    const snapshot = _asSnapshot(parsed);
    if (!snapshot) return ignore('it is not a snapshot file of this format');
    if (snapshot.key !== key) return ignore(`it holds "${snapshot.key}", not "${key}"`);
    const { origin } = this.#opts;
    if (origin !== undefined && snapshot.origin !== origin) {
      return ignore(`it was saved from ${snapshot.origin ?? 'an unnamed store'}, not ${origin}`);
    }
    if (hashBytes(snapshot.data) !== snapshot.hash) return ignore('its text does not match its hash');
    return snapshot;
  }

  async #write(snapshot: LocalSnapshot): Promise<void> {
    const dir = dirname(this.path);
    if (!this.#dirMade) {
      await mkdir(dir, { recursive: true });
      this.#dirMade = true;
    }
    const temp = join(dir, `.${basename(this.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const body = JSON.stringify({ format: FORMAT, ...snapshot, savedAt: snapshot.savedAt.toISOString() });
    try {
      const file = await open(temp, 'w', 0o600);
      try {
        await file.writeFile(body, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, this.path);
    } catch (error) {
      this.#dirMade = false;
      await rm(temp, { force: true });
      throw error;
    }
    await _syncDirectory(dir);
  }
}

/**
 * A source that serves a saved snapshot: its text parsed (once) with `parse`, its hash and version,
 * under `name` — pass the name of the source it stands in for (e.g. `database:<key>`), so the
 * snapshots it yields compare with that source's. With `references`, resolved as that source
 * resolves them (the saved text keeps the references, never their values).
 */
export function snapshotSource(
  snapshot: LocalSnapshot,
  opts: {
    name: string;
    parse?: ConfigParser;
    maxDocumentBytes?: number;
    overlay?: boolean;
    references?: ReferenceOptions;
  },
): ConfigSource & { readonly version?: number } {
  const lastParse = new LastParse();
  const { name, parse, maxDocumentBytes, overlay } = opts;
  const references = new ReferenceStage(opts.references, name);
  const load: ConfigSource['load'] = async (loadOpts = {}) => {
    const parsed = {
      config: await lastParse.configFor(snapshot.hash, () =>
        parseConfigAsync(snapshot.data, {
          filename: name,
          ...(parse ? { parse } : {}),
          ...(maxDocumentBytes === undefined ? {} : { maxDocumentBytes }),
          ...(overlay ? { overlay } : {}),
          ...(loadOpts.signal ? { signal: loadOpts.signal } : {}),
        }),
      ),
      hash: snapshot.hash,
      source: name,
      ...(snapshot.version === undefined ? {} : { version: snapshot.version }),
      loadedAt: new Date(),
    };
    return references.apply(parsed, { ...loadOpts, text: snapshot.data });
  };
  return {
    name,
    ...(snapshot.version === undefined ? {} : { version: snapshot.version }),
    load,
    hash: async (hashOpts = {}) =>
      references.hash(snapshot.hash, { ...hashOpts, text: snapshot.data, load: () => load(hashOpts) }),
  };
}

/** The fields of a snapshot file, checked; `undefined` for anything else. */
function _asSnapshot(value: unknown): LocalSnapshot | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const savedAt = typeof v.savedAt === 'string' ? new Date(v.savedAt) : undefined;
  const ok =
    v.format === FORMAT &&
    typeof v.key === 'string' &&
    typeof v.hash === 'string' &&
    typeof v.data === 'string' &&
    (v.version === undefined || (Number.isSafeInteger(v.version) && (v.version as number) > 0)) &&
    (v.origin === undefined || typeof v.origin === 'string') &&
    savedAt !== undefined &&
    !Number.isNaN(savedAt.getTime());
  if (!ok) return undefined;
  return {
    key: v.key as string,
    ...(v.version === undefined ? {} : { version: v.version as number }),
    hash: v.hash as string,
    data: v.data as string,
    ...(v.origin === undefined ? {} : { origin: v.origin as string }),
    savedAt: savedAt!,
  };
}

/** fsync of a directory, so a rename in it survives a crash; not every platform allows it. */
async function _syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open a directory; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}
