import {
  type DocumentVersion,
  type HistoryEntry,
  type PgConfigStore,
  VersionConflictError,
} from '@cfg/pg-store';
import {
  type ConfigSnapshot,
  type ConfigSource,
  type EditableConfigText,
  MAX_DOCUMENT_BYTES,
  openConfigText,
} from '@cfg/source';
import { codes } from '../http/errors.js';
import { PhaseTimings } from '../http/phase-timings.js';
import { assertValid } from './checked-config.js';
import type { DocumentLayout, ResolvedConfig } from './document-layout.js';
import { SerialQueue } from './serial-queue.js';
import type { ConfigVersions, ConfigWriter, WriteContext, WriteMode, WriteOutcome } from './types.js';

export interface StoredWriterOptions {
  mode: Exclude<WriteMode, 'file'>;
  store: PgConfigStore;
  key: string;
  layout: DocumentLayout;
  /** What the server runs on (the document, or the file + overlay composite): its name labels snapshots. */
  source: ConfigSource;
  /**
   * A write whose document would be larger is refused (413, nothing stored); a stored document
   * that already is cannot be edited (422).
   * @defaultValue `MAX_DOCUMENT_BYTES` (1 MiB)
   */
  maxDocumentBytes?: number;
  /** Told the text of every version this writer stored (the local snapshot keeps it). */
  onStored?: (version: number, text: string) => void;
}

/** A stored document opened for editing, and the version it is. */
interface WorkingCopy {
  version: number;
  doc: EditableConfigText;
}

/** An edited and checked document, not yet stored. */
interface Applied {
  doc: EditableConfigText;
  text: string;
  /** What the server will run, and the hash its source will report for it. */
  resolved: ResolvedConfig;
}

/** The largest version a document can have: versions are PostgreSQL `integer`s. */
export const MAX_VERSION = 2_147_483_647;

/**
 * Without `If-Match`, a write that loses a race (to another replica or `cfg push`; this server's own
 * writes run one at a time) re-reads and re-applies the edit this many times in all.
 */
const ATTEMPTS = 3;

/**
 * Database and overlay modes: each API write is a read-modify-write of one stored document, checked
 * before it is written (a refused config never becomes a version) and stored with optimistic
 * concurrency. Writes run one at a time: head (or read) → edit → check → store, expecting the
 * version edited. The document this server stored last stays open (the head), so the next edit skips
 * the read and the parse; a write by anyone else moves the version on, and the conflict drops the
 * head and sends the edit back to a fresh read.
 */
export class StoredWriter implements ConfigWriter, ConfigVersions {
  readonly mode: StoredWriterOptions['mode'];
  readonly key: string;
  readonly #opts: StoredWriterOptions;
  /** One write (or rollback) at a time, in arrival order. */
  readonly #queue = new SerialQueue();
  /** The document as this writer last stored it, and its version: the next edit starts here. */
  #head: WorkingCopy | undefined;
  /** Aborted by `close()`: stores that have not started are called off. */
  readonly #closing = new AbortController();

  constructor(opts: StoredWriterOptions) {
    this.mode = opts.mode;
    this.key = opts.key;
    this.#opts = opts;
  }

  get versions(): ConfigVersions {
    return this;
  }

  drain(): Promise<void> {
    return this.#queue.idle();
  }

  close(): void {
    this.#closing.abort(codes.CFG_ERR_SHUTTING_DOWN());
  }

  /**
   * Edits the head (or, with `If-Match`, which must compare with what is stored, a fresh read),
   * checks the result and stores it expecting the version edited. A conflict (another replica wrote
   * first) drops the head and, without `If-Match`, starts again from a read, up to `ATTEMPTS` times.
   */
  async writeModuleConfig(
    current: ConfigSnapshot,
    name: string,
    config: Record<string, unknown>,
    ctx: WriteContext,
  ): Promise<WriteOutcome> {
    if (!current.config.modules.some((m) => m.name === name)) throw codes.CFG_ERR_MODULE_NOT_FOUND(name);
    const timings = ctx.timings ?? new PhaseTimings();
    const expected = parseIfMatch(ctx.ifMatch);
    const arrived = performance.now();
    return this.#queue.run(async () => {
      timings.add('queue', performance.now() - arrived);
      for (let attempt = 1; ; attempt++) {
        this.#assertMayStore(ctx);
        const head = expected === undefined ? this.#head : undefined;
        const base = head ?? (await timings.time('db', () => this.#read()));
        if (expected !== undefined && expected !== base.version)
          throw _conflict(this.key, expected, base.version);
        const edit = await timings.time('edit', () => this.#apply(base, name, config, ctx));
        try {
          return await this.#store(edit, base.version, name, ctx, timings);
        } catch (error) {
          if (!(error instanceof VersionConflictError) || expected !== undefined || attempt >= ATTEMPTS)
            throw error;
        }
      }
    });
  }

  /** Stores the edit as the version after `baseVersion`; it becomes the head, and any failure drops the head. */
  async #store(
    edit: Applied,
    baseVersion: number,
    name: string,
    ctx: WriteContext,
    timings: PhaseTimings,
  ): Promise<WriteOutcome> {
    this.#assertMayStore(ctx);
    try {
      const written = await timings.time('db', () =>
        this.#opts.store.putDocument(this.key, edit.text, {
          expectedVersion: baseVersion,
          actor: ctx.actor,
          message: `PUT /api/v1/modules/${name}/config`,
          signal: this.#signalFor(ctx),
        }),
      );
      this.#head = { version: written.version, doc: edit.doc };
      return this.#outcome(edit.text, edit.resolved, written.version);
    } catch (error) {
      this.#head = undefined;
      throw error;
    }
  }

  /** Edits `base` (a copy of it) and checks the result; nothing is stored. */
  async #apply(
    base: WorkingCopy,
    name: string,
    config: Record<string, unknown>,
    ctx: WriteContext,
  ): Promise<Applied> {
    const { layout } = this.#opts;
    const doc = base.doc.clone();
    const composed = await layout.edit(doc, name, config);
    const text = doc.toString();
    const bytes = Buffer.byteLength(text);
    const limit = this.#opts.maxDocumentBytes ?? MAX_DOCUMENT_BYTES;
    if (bytes > limit)
      throw codes.CFG_ERR_DOCUMENT_TOO_LARGE(bytes.toLocaleString('en'), limit.toLocaleString('en'));
    const resolved = await layout.resolve(text, composed);
    assertValid(resolved.config, ctx.validate);
    return { doc, text, resolved };
  }

  /**
   * Throws (the abort reason) unless a store may start: its client is still there and shutdown has
   * not begun. A write queued behind a stalled one must not be stored after its client gave up (or
   * the process began to stop), when the stall ends.
   */
  #assertMayStore(ctx: WriteContext): void {
    const gone = [this.#closing.signal, ctx.signal].find((signal) => signal?.aborted);
    if (gone) throw gone.reason;
  }

  /** Aborts when the client goes or shutdown begins; the store calls the write off if it has not started. */
  #signalFor(ctx: WriteContext): AbortSignal {
    return ctx.signal ? AbortSignal.any([this.#closing.signal, ctx.signal]) : this.#closing.signal;
  }

  /** The stored document, opened for editing (version 0: none yet). */
  async #read(): Promise<WorkingCopy> {
    const doc = await this.#opts.store.getDocument(this.key);
    const text = doc?.data ?? 'modules: []\n';
    // Stored by someone with a higher limit, or by hand: refused from its size, not parsed. Stored
    // by someone else, and broken: the ConfigParseError says where (source:line:col).
    const { maxDocumentBytes } = this.#opts;
    return {
      version: doc?.version ?? 0,
      doc: openConfigText(text, { filename: this.#opts.source.name, maxDocumentBytes }),
    };
  }

  history(opts: { limit?: number; beforeVersion?: number }): Promise<HistoryEntry[]> {
    return this.#opts.store.history(this.key, opts);
  }

  getVersion(version: number): Promise<DocumentVersion> {
    return this.#opts.store.getVersion(this.key, version);
  }

  rollback(version: number, ctx: WriteContext): Promise<WriteOutcome> {
    return this.#queue.run(() => {
      this.#head = undefined; // the next edit starts from what the rollback stored
      this.#assertMayStore(ctx);
      return this.#rollback(version, ctx);
    });
  }

  async #rollback(version: number, ctx: WriteContext): Promise<WriteOutcome> {
    const { store, key, layout } = this.#opts;
    const target = await store.getVersion(key, version);
    if (target.data === null) {
      throw codes.CFG_ERR_INVALID_CONFIG(
        `version ${version} of "${key}" is a deletion; roll back to a version with content`,
      );
    }
    const resolved = await layout.resolve(target.data, await layout.compose(target.data));
    assertValid(resolved.config, ctx.validate);
    const expectedVersion = parseIfMatch(ctx.ifMatch);
    const written = await store.rollback(key, version, {
      actor: ctx.actor,
      message: 'POST /api/v1/config/rollback',
      ...(expectedVersion === undefined ? {} : { expectedVersion }),
      signal: this.#signalFor(ctx),
    });
    return this.#outcome(target.data, resolved, written.version);
  }

  /**
   * The snapshot of what was just written, built from the written text itself (config and hash from
   * the same bytes, as the source would build them) instead of reading and parsing it back. A newer
   * write by someone else reaches this server through its poller, as every other change does.
   */
  #outcome(text: string, resolved: ResolvedConfig, version: number): WriteOutcome {
    const { source, onStored } = this.#opts;
    onStored?.(version, text);
    const snapshot = { ...resolved, source: source.name, version, loadedAt: new Date() };
    return { snapshot, persisted: true, version };
  }
}

/** `If-Match: 7`, `"7"` or `W/"7"` → 7; absent → undefined; anything else is a 400. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,10})"?\s*$/.exec(header);
  if (!match || Number(match[1]) > MAX_VERSION)
    throw codes.CFG_ERR_BAD_REQUEST(
      `If-Match must be a version number such as "7", not ${JSON.stringify(header)}`,
    );
  return Number(match[1]);
}

function _conflict(key: string, expected: number, actual: number) {
  return codes.CFG_ERR_VERSION_CONFLICT.with(
    { currentVersion: actual },
    `"${key}" is at version ${actual}, not ${expected}; re-read it (GET /api/v1/config) and try again`,
  );
}
