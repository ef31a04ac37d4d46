import {
  type DocumentVersion,
  type HistoryEntry,
  type PgConfigStore,
  VersionConflictError,
} from '@cfg/pg-store';
import type { AppConfig, ConfigSnapshot, ConfigSource } from '@cfg/source';
import { codes } from '../lib/errors.js';
import { PhaseTimings } from '../lib/phase-timings.js';
import { SerialQueue } from '../lib/serial-queue.js';
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

/** The largest version a document can have: versions are PostgreSQL `integer`s. */
export const MAX_VERSION = 2_147_483_647;

/**
 * Without `If-Match`, a write that loses a race (to another replica or `cfg push`; this server's own
 * writes are serialised) re-reads and re-applies the edit this many times.
 */
const ATTEMPTS = 3;

/**
 * Database and overlay modes: each API write is a read-modify-write of one stored document, checked
 * before it is written (a refused config never becomes a version), stored with optimistic
 * concurrency, then loaded back through the source the server runs on. One server's writes run one
 * at a time.
 */
export class StoredWriter implements ConfigWriter, ConfigVersions {
  readonly mode: StoredWriterOptions['mode'];
  readonly key: string;
  readonly #opts: StoredWriterOptions;
  /** This server's writes go one at a time: concurrent read-modify-writes of one document would only conflict. */
  readonly #writes = new SerialQueue();

  constructor(opts: StoredWriterOptions) {
    this.mode = opts.mode;
    this.key = opts.key;
    this.#opts = opts;
  }

  get versions(): ConfigVersions {
    return this;
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

  /** Read, edit, check, write with the version read; a lost race (another replica) re-reads. */
  async #writeModuleConfig(
    name: string,
    config: Record<string, unknown>,
    ctx: WriteContext,
    timings: PhaseTimings,
  ): Promise<WriteOutcome> {
    const { store, key, layout } = this.#opts;
    const expected = parseIfMatch(ctx.ifMatch);
    for (let attempt = 1; ; attempt++) {
      const doc = await timings.time('db', () => store.getDocument(key));
      const version = doc?.version ?? 0;
      if (expected !== undefined && expected !== version) throw _conflict(key, expected, version);
      const [text, composed] = await timings.time('edit', async () => {
        const edited = await layout.edit(doc?.data ?? 'modules: []\n', name, config);
        const result = await layout.compose(edited);
        assertValid(result, ctx.validate);
        return [edited, result] as const;
      });
      try {
        const written = await timings.time('db', () =>
          store.putDocument(key, text, {
            expectedVersion: version,
            actor: ctx.actor,
            message: `PUT /api/v1/modules/${name}/config`,
          }),
        );
        return this.#outcome(text, composed, written.version);
      } catch (error) {
        if (!(error instanceof VersionConflictError) || expected !== undefined || attempt >= ATTEMPTS)
          throw error;
      }
    }
  }

  history(opts: { limit?: number; beforeVersion?: number }): Promise<HistoryEntry[]> {
    return this.#opts.store.history(this.key, opts);
  }

  getVersion(version: number): Promise<DocumentVersion> {
    return this.#opts.store.getVersion(this.key, version);
  }

  rollback(version: number, ctx: WriteContext): Promise<WriteOutcome> {
    return this.#writes.run(() => this.#rollback(version, ctx));
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
