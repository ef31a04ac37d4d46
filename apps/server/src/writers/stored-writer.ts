import {
  type DocumentVersion,
  type HistoryEntry,
  type PgConfigStore,
  VersionConflictError,
} from '@cfg/pg-store';
import { type AppConfig, type ConfigSnapshot, type ConfigSource, parseConfig } from '@cfg/source';
import { codes } from '../lib/errors.js';
import { PhaseTimings } from '../lib/phase-timings.js';
import { SerialQueue } from '../lib/serial-queue.js';
import { type EditableConfigText, openConfigText } from '../lib/yaml-edit.js';
import { assertValid } from './checked-config.js';
import type { DocumentLayout } from './layouts.js';
import type { ConfigVersions, ConfigWriter, WriteContext, WriteMode, WriteOutcome } from './types.js';

export interface StoredWriterOptions {
  mode: Exclude<WriteMode, 'file'>;
  store: PgConfigStore;
  key: string;
  layout: DocumentLayout;
  /** What the server runs on (the document, or the file + overlay composite): its name labels snapshots. */
  source: ConfigSource;
}

/** A stored document opened for editing, and the version it is. */
interface WorkingCopy {
  version: number;
  doc: EditableConfigText;
}

/** The largest version a document can have: versions are PostgreSQL `integer`s. */
export const MAX_VERSION = 2_147_483_647;

/**
 * Without `If-Match`, a write that loses a race (to another replica or `cfg push`; this server's own
 * writes are serialised) re-reads and re-applies the edit this many times.
 */
const ATTEMPTS = 3;

/**
 * Database and overlay modes: each API write is a read-modify-write of one stored document, checked
 * before it is written (a refused config never becomes a version) and stored with optimistic
 * concurrency. The document this server last wrote stays open as its working copy, so the next
 * write skips the read and the parse; a write by anyone else bumps the version, and the conflict
 * sends the edit back to a fresh read. One server's writes run one at a time.
 */
export class StoredWriter implements ConfigWriter, ConfigVersions {
  readonly mode: StoredWriterOptions['mode'];
  readonly key: string;
  readonly #opts: StoredWriterOptions;
  /** This server's writes go one at a time: concurrent read-modify-writes of one document would only conflict. */
  readonly #writes = new SerialQueue();
  /** The stored document at a version this server last read or wrote: the next edit starts here, not from a read. */
  #working: WorkingCopy | undefined;
  #announce: ((hash: string) => () => void) | undefined;

  constructor(opts: StoredWriterOptions) {
    this.mode = opts.mode;
    this.key = opts.key;
    this.#opts = opts;
  }

  /**
   * From now on, each write first tells `expect` the hash it is about to store, and calls the
   * function `expect` returns if the write fails. Meant for the poller of the same source
   * (`SourcePoller.expect`): it then skips loading back a change this server applies itself.
   */
  announceWritesTo(expect: (hash: string) => () => void): void {
    this.#announce = expect;
  }

  get versions(): ConfigVersions {
    return this;
  }

  drain(): Promise<void> {
    return this.#writes.idle();
  }

  async writeModuleConfig(
    current: ConfigSnapshot,
    name: string,
    config: Record<string, unknown>,
    ctx: WriteContext,
  ): Promise<WriteOutcome> {
    if (!current.config.modules.some((m) => m.name === name)) throw codes.CFG_ERR_MODULE_NOT_FOUND(name);
    const timings = ctx.timings ?? new PhaseTimings();
    const queued = performance.now();
    return this.#writes.run(async () => {
      timings.add('queue', performance.now() - queued);
      return this.#writeModuleConfig(name, config, ctx, timings);
    });
  }

  /**
   * Edit, check, write with the version edited; a lost race (another replica) re-reads. The edit
   * starts from the working copy when it is the version to edit, else from a fresh read.
   */
  async #writeModuleConfig(
    name: string,
    config: Record<string, unknown>,
    ctx: WriteContext,
    timings: PhaseTimings,
  ): Promise<WriteOutcome> {
    const { store, key, layout } = this.#opts;
    const expected = parseIfMatch(ctx.ifMatch);
    for (let attempt = 1; ; attempt++) {
      // Taken, not borrowed: the edit changes it, so it comes back only once that edit is stored.
      const working = this.#takeWorkingCopy(expected) ?? (await timings.time('db', () => this.#read()));
      if (expected !== undefined && expected !== working.version)
        throw _conflict(key, expected, working.version);
      const [text, composed] = await timings.time('edit', async () => {
        const result = await layout.edit(working.doc, name, config);
        assertValid(result, ctx.validate);
        return [working.doc.toString(), result] as const;
      });
      const withdraw = this.#announce?.(layout.hashOf(text, composed));
      try {
        const written = await timings.time('db', () =>
          store.putDocument(key, text, {
            expectedVersion: working.version,
            actor: ctx.actor,
            message: `PUT /api/v1/modules/${name}/config`,
          }),
        );
        this.#working = { version: written.version, doc: working.doc };
        return this.#outcome(text, composed, written.version);
      } catch (error) {
        withdraw?.();
        if (!(error instanceof VersionConflictError) || expected !== undefined || attempt >= ATTEMPTS)
          throw error;
      }
    }
  }

  /** The working copy, if it is the version an `If-Match` names (or there is none); the writer no longer holds it. */
  #takeWorkingCopy(expected: number | undefined): WorkingCopy | undefined {
    const working = this.#working;
    this.#working = undefined;
    return expected === undefined || working?.version === expected ? working : undefined;
  }

  /** The stored document, opened for editing (version 0: none yet). */
  async #read(): Promise<WorkingCopy> {
    const doc = await this.#opts.store.getDocument(this.key);
    const text = doc?.data ?? 'modules: []\n';
    try {
      return { version: doc?.version ?? 0, doc: openConfigText(text) };
    } catch (error) {
      // Stored by someone else, and broken: say where, as a ConfigParseError (file:line:col).
      parseConfig(text, { filename: this.#opts.source.name });
      throw error;
    }
  }

  history(opts: { limit?: number; beforeVersion?: number }): Promise<HistoryEntry[]> {
    return this.#opts.store.history(this.key, opts);
  }

  getVersion(version: number): Promise<DocumentVersion> {
    return this.#opts.store.getVersion(this.key, version);
  }

  rollback(version: number, ctx: WriteContext): Promise<WriteOutcome> {
    return this.#writes.run(() => {
      this.#working = undefined;
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
    const composed = await layout.compose(target.data);
    assertValid(composed, ctx.validate);
    const expectedVersion = parseIfMatch(ctx.ifMatch);
    const written = await store.rollback(key, version, {
      actor: ctx.actor,
      message: 'POST /api/v1/config/rollback',
      ...(expectedVersion === undefined ? {} : { expectedVersion }),
    });
    return this.#outcome(target.data, composed, written.version);
  }

  /**
   * The snapshot of what was just written, built from the written text itself (config and hash from
   * the same bytes, as the source would build them) instead of reading and parsing it back. A newer
   * write by someone else reaches this server through its poller, as every other change does.
   */
  #outcome(text: string, config: AppConfig, version: number): WriteOutcome {
    const { source, layout } = this.#opts;
    const snapshot = {
      config,
      hash: layout.hashOf(text, config),
      source: source.name,
      version,
      loadedAt: new Date(),
    };
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
