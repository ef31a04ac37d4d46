import {
  type ConfigDocumentStore,
  type DocumentSubscribeOptions,
  hashBytes,
  type StoredDocument,
} from '@cfg/source';
import type { Pool, PoolClient } from 'pg';
import { translatePgError, withClient, withTransaction } from './db.js';
import { DocumentNotFoundError, UnknownInstanceError, VersionConflictError } from './errors.js';
import { readFleet, readRollout, waitForRollout } from './fleet.js';
import { parseFleetNotice } from './fleet-notice.js';
import type {
  FleetNotice,
  FleetOptions,
  FleetState,
  InstanceRegistration,
  OutcomeReport,
  Rollout,
  WaitForRolloutOptions,
} from './fleet-types.js';
import { assertInstanceId, instanceRow, outcomeRow } from './fleet-validate.js';
import { ChangeListener, type ChangeListenerFn, documentFeed } from './listener.js';
import { type MigrateResult, migrate } from './migrate.js';
import { type PgConfigStoreOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { deleteDocument } from './sql/deleteDocument.js';
import { getDocument } from './sql/getDocument.js';
import { getDocumentHash } from './sql/getDocumentHash.js';
import { getHistory } from './sql/getHistory.js';
import { getVersion } from './sql/getVersion.js';
import { hasHistory } from './sql/hasHistory.js';
import { type DocumentWrite, insertDocument, type WrittenVersion } from './sql/insertDocument.js';
import { insertOutcomes, type OutcomeRow } from './sql/insertOutcomes.js';
import { listDocuments } from './sql/listDocuments.js';
import { lockDocument } from './sql/lockDocument.js';
import { stopInstance } from './sql/stopInstance.js';
import { touchInstance } from './sql/touchInstance.js';
import { updateDocument } from './sql/updateDocument.js';
import { upsertInstance } from './sql/upsertInstance.js';
import type {
  DocumentInfo,
  DocumentVersion,
  HistoryEntry,
  HistoryOptions,
  ListDocumentsOptions,
  PutDocumentResult,
  WriteOptions,
} from './types.js';
import { assertInteger, assertValidKey } from './validate.js';

const DEFAULT_ACTOR = 'unknown';
/** SQLSTATE of a write that lost a race under REPEATABLE READ or SERIALIZABLE. */
const SERIALIZATION_FAILURE = '40001';
/** Instances that stopped heartbeating longer ago than this are deleted (with their outcomes) by the next registration. */
const INSTANCE_RETENTION_MS = 24 * 3_600_000;
/** Outcomes are kept for this many versions per key below the newest one reported. */
const OUTCOME_VERSIONS_KEPT = 100;
/** Reports one `reportOutcomes` call may carry. */
const MAX_REPORTS_PER_CALL = 100;

/**
 * Versioned config documents in PostgreSQL. Every write is one transaction: the live row, a history
 * row and a NOTIFY, so a notice is only ever sent for a committed version. Writers of one key are
 * serialised by its row lock; versions per key are 1, 2, 3, … without gaps or duplicates.
 */
export class PgConfigStore implements ConfigDocumentStore {
  readonly schema: string;
  readonly channel: string;
  readonly #pool: Pool;
  readonly #opts: ResolvedOptions;
  readonly #listener: ChangeListener;
  readonly #fleetListener: ChangeListener<FleetNotice>;

  constructor(pool: Pool, userOpts: PgConfigStoreOptions = {}) {
    this.#opts = resolveOptions(userOpts);
    this.#pool = pool;
    this.schema = this.#opts.schema;
    this.channel = this.#opts.channel;
    this.#listener = new ChangeListener(pool, this.#opts, documentFeed(this.#opts));
    this.#fleetListener = new ChangeListener(pool, this.#opts, {
      channel: this.#opts.fleetChannel,
      parse: parseFleetNotice,
    });
  }

  /** Creates or upgrades the schema; safe to call from many processes at once. */
  migrate(): Promise<MigrateResult> {
    return migrate(this.#pool, this.#opts);
  }

  /**
   * Writes `data` as the next version of `key`. Identical bytes write nothing and notify nobody
   * (`changed: false`). With `expectedVersion` (`0` = create only), a different current version is a
   * `VersionConflictError` and nothing is written.
   */
  async putDocument(key: string, data: string, opts: WriteOptions = {}): Promise<PutDocumentResult> {
    assertValidKey(key);
    if (typeof data !== 'string') throw new TypeError(`data for "${key}" must be a string`);
    _checkWriteOptions(opts);
    return this.#run(key, () => this.#write(key, data, undefined, opts));
  }

  /** The live document, or `null` (also after a delete). */
  async getDocument(key: string): Promise<StoredDocument | null> {
    assertValidKey(key);
    return this.#run(key, () =>
      this.#onClient(async (db) => (await getDocument(this.#opts, db, key)) ?? null),
    );
  }

  /** The live document's hash alone, or `null`: the cheap change check. */
  async getDocumentHash(key: string): Promise<string | null> {
    assertValidKey(key);
    return this.#run(key, () =>
      this.#onClient(async (db) => (await getDocumentHash(this.#opts, db, key)) ?? null),
    );
  }

  /** Live documents without their data, ordered by key. */
  async listDocuments(opts: ListDocumentsOptions = {}): Promise<DocumentInfo[]> {
    const { prefix, after, limit } = { limit: 100, ...opts };
    assertInteger('limit', limit, 1);
    return this.#run(undefined, () =>
      this.#onClient((db) =>
        listDocuments(this.#opts, db, { prefix: prefix ?? null, after: after ?? null, limit }),
      ),
    );
  }

  /** Versions of `key` without data, newest first. `DocumentNotFoundError` if it was never written. */
  async history(key: string, opts: HistoryOptions = {}): Promise<HistoryEntry[]> {
    assertValidKey(key);
    const { beforeVersion, limit } = { limit: 50, ...opts };
    assertInteger('limit', limit, 1);
    if (beforeVersion !== undefined) assertInteger('beforeVersion', beforeVersion, 1);
    return this.#run(key, () =>
      this.#onClient(async (db) => {
        const entries = await getHistory(this.#opts, db, key, {
          beforeVersion: beforeVersion ?? null,
          limit,
        });
        if (entries.length === 0 && !(await hasHistory(this.#opts, db, key))) {
          throw new DocumentNotFoundError(key);
        }
        return entries;
      }),
    );
  }

  /** One version of `key` with its data (`null` for a `delete`); `DocumentNotFoundError` if absent. */
  async getVersion(key: string, version: number): Promise<DocumentVersion> {
    assertValidKey(key);
    assertInteger('version', version, 1);
    return this.#run(key, async () => {
      const found = await this.#onClient((db) => getVersion(this.#opts, db, key, version));
      if (!found) throw new DocumentNotFoundError(key, version);
      return found;
    });
  }

  /**
   * Writes version `toVersion`'s data as a new version (history `op: 'rollback'`, its message names
   * the source version). Rolling back to the current content writes nothing (`changed: false`).
   */
  async rollback(key: string, toVersion: number, opts: WriteOptions = {}): Promise<PutDocumentResult> {
    assertValidKey(key);
    assertInteger('toVersion', toVersion, 1);
    _checkWriteOptions(opts);
    return this.#run(key, async () => {
      const source = await this.#onClient((db) => getVersion(this.#opts, db, key, toVersion), opts.signal);
      if (!source) throw new DocumentNotFoundError(key, toVersion);
      if (source.data === null) {
        throw new DocumentNotFoundError(key, toVersion, 'is a deletion; roll back to a version with data');
      }
      const note = `rollback to version ${toVersion}`;
      const message = opts.message ? `${note}: ${opts.message}` : note;
      return this.#write(key, source.data, 'rollback', { ...opts, message });
    });
  }

  /**
   * Deletes the live document; history records the deletion as the next version, and a later put
   * continues the sequence. `DocumentNotFoundError` if it does not exist.
   */
  async deleteDocument(key: string, opts: WriteOptions = {}): Promise<{ key: string; version: number }> {
    assertValidKey(key);
    _checkWriteOptions(opts);
    return this.#run(key, () =>
      withTransaction(
        this.#pool,
        this.#opts,
        async (client) => {
          const current = await lockDocument(this.#opts, client, key);
          if (!current) throw new DocumentNotFoundError(key);
          _checkExpected(key, opts.expectedVersion, current.version);
          const version = await deleteDocument(this.#opts, client, {
            key,
            actor: opts.actor ?? DEFAULT_ACTOR,
            message: opts.message ?? null,
          });
          return { key, version };
        },
        opts.signal,
      ),
    );
  }

  /**
   * Calls `listener` for every committed change of any key in this store, over one LISTEN connection
   * shared by all subscribers. Notices sent while disconnected are lost, so after a re-connect
   * `onReconnect` asks you to re-check. Holds one pool connection while anyone is subscribed.
   */
  subscribe(listener: ChangeListenerFn, opts?: DocumentSubscribeOptions): Promise<() => Promise<void>> {
    return this.#listener.subscribe(listener, opts);
  }

  /**
   * Registers a process that follows `reg.key` (or registers it again: same `id`, row overwritten),
   * live for `ttlMs` (30 s) unless `heartbeat` renews it. Instances silent for over a day are pruned.
   */
  async registerInstance(reg: InstanceRegistration): Promise<void> {
    const row = instanceRow(reg);
    await this.#run(row.key, () =>
      this.#onClient((db) => upsertInstance(this.#opts, db, row, INSTANCE_RETENTION_MS)),
    );
  }

  /**
   * Keeps instance `id` live for another `ttlMs` (one UPDATE). Returns false when the store no longer
   * knows it as running (pruned, or stopped): register it again.
   */
  async heartbeat(id: string, opts: { ttlMs?: number } = {}): Promise<boolean> {
    assertInstanceId(id);
    const ttlMs = opts.ttlMs ?? 30_000;
    assertInteger('ttlMs', ttlMs, 1);
    return this.#run(undefined, () => this.#onClient((db) => touchInstance(this.#opts, db, id, ttlMs)));
  }

  /** Marks instance `id` stopped: not live from now on (its row and outcomes stay, shown as `stopped`). */
  async deregisterInstance(id: string): Promise<void> {
    assertInstanceId(id);
    await this.#run(undefined, () => this.#onClient((db) => stopInstance(this.#opts, db, id)));
  }

  /**
   * Records what an instance did with one version (one statement: the outcome row, the instance's
   * row, pruning, and a NOTIFY on `fleetChannel`). A second report for the same version replaces the
   * first. `UnknownInstanceError` when the instance is not registered.
   */
  async reportOutcome(report: OutcomeReport): Promise<void> {
    await this.reportOutcomes([report]);
  }

  /**
   * `reportOutcome` for several reports of one instance and key at once, in order, as one statement
   * (one commit, and one wake-up of every LISTENing connection instead of one per report): what a
   * process sends after a burst of versions. A version reported twice keeps its last report. Each
   * report still gets its own NOTIFY. At most `MAX_REPORTS_PER_CALL` (100) reports.
   */
  async reportOutcomes(reports: readonly OutcomeReport[]): Promise<void> {
    const rows = _lastPerVersion(reports.map(outcomeRow));
    const first = rows[0];
    if (!first) return;
    if (rows.length > MAX_REPORTS_PER_CALL)
      throw new RangeError(
        `reportOutcomes: at most ${MAX_REPORTS_PER_CALL} reports per call, got ${rows.length}`,
      );
    if (rows.some((r) => r.instanceId !== first.instanceId || r.key !== first.key))
      throw new TypeError('reportOutcomes: every report must be of the same instance and key');
    const written = await this.#run(first.key, () =>
      this.#onClient((db) => insertOutcomes(this.#opts, db, rows, OUTCOME_VERSIONS_KEPT)),
    );
    if (!written) throw new UnknownInstanceError(first.instanceId);
  }

  /** Who follows `key`: live instances with what they run, recently gone ones, and per-version counts. */
  async fleet(key: string, opts: FleetOptions = {}): Promise<FleetState> {
    assertValidKey(key);
    return this.#run(key, () => this.#onClient((db) => readFleet(this.#opts, db, key, opts)));
  }

  /** Where `version` of `key` stands across the live instances: `complete`, `rejected` or `pending`. */
  async rollout(key: string, version: number): Promise<Rollout> {
    assertValidKey(key);
    assertInteger('version', version, 1);
    return this.#run(key, () => this.#onClient((db) => readRollout(this.#opts, db, key, version)));
  }

  /**
   * Waits until `rollout(key, version)` is `complete` or `rejected`, or `timeoutMs` (60 s) passed
   * (then it resolves with the pending rollout). Woken by outcome notifications, re-read every
   * `pollIntervalMs` (1 s) regardless.
   */
  async waitForRollout(key: string, version: number, opts: WaitForRolloutOptions = {}): Promise<Rollout> {
    assertValidKey(key);
    assertInteger('version', version, 1);
    return waitForRollout(
      () => this.rollout(key, version),
      (listener, subOpts) => this.subscribeFleet(listener, subOpts),
      key,
      opts,
    );
  }

  /**
   * Calls `listener` for every outcome report of any instance of this store, over one LISTEN
   * connection on `fleetChannel` (separate from `subscribe`'s, and held only while anyone listens).
   * Notices are hints, lost while disconnected: re-read on `onReconnect`.
   */
  subscribeFleet(
    listener: (notice: FleetNotice) => void,
    opts?: DocumentSubscribeOptions,
  ): Promise<() => Promise<void>> {
    return this.#fleetListener.subscribe(listener, opts);
  }

  /**
   * The write path shared by put and rollback. Fast path: one statement updates an existing document
   * whose bytes differ (and whose version is the expected one). Everything else (a new key, identical
   * bytes, a conflict, a serialisation failure under a stricter default isolation) takes the locking
   * path, which finds out which it is under the row lock.
   */
  async #write(
    key: string,
    data: string,
    op: 'rollback' | undefined,
    opts: WriteOptions,
  ): Promise<PutDocumentResult> {
    const hash = hashBytes(data);
    const actor = opts.actor ?? DEFAULT_ACTOR;
    const write: DocumentWrite = {
      key,
      data,
      hash,
      actor,
      message: opts.message ?? null,
      op: op ?? 'update',
    };
    const written = (result: WrittenVersion) => ({
      key,
      data,
      hash,
      ...result,
      updatedBy: actor,
      changed: true,
    });
    if (opts.expectedVersion !== 0) {
      const fast = await this.#onClient(
        (db) => updateDocument(this.#opts, db, write, opts.expectedVersion ?? null),
        opts.signal,
      ).catch((error: unknown) => {
        if ((error as { code?: string }).code === SERIALIZATION_FAILURE) return undefined;
        throw error;
      });
      if (fast) return written(fast);
    }
    return withTransaction(
      this.#pool,
      this.#opts,
      async (client) => {
        for (;;) {
          const current = await lockDocument(this.#opts, client, key);
          _checkExpected(key, opts.expectedVersion, current?.version ?? 0);
          if (current?.hash === hash) {
            const { version, updatedAt, updatedBy } = current;
            return { key, data, hash, version, updatedAt, updatedBy, changed: false };
          }
          const result = current
            ? await updateDocument(this.#opts, client, write, current.version)
            : await insertDocument(this.#opts, client, { ...write, op: op ?? 'create' });
          // No row from the insert: a concurrent writer created the key first and has committed by now
          // (`on conflict` waited for it); lock that row and decide again.
          if (result) return written(result);
        }
      },
      opts.signal,
    );
  }

  /** One statement (or a few) on one pool connection, outside a transaction. */
  #onClient<T>(fn: (db: PoolClient) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withClient(this.#pool, this.#opts, fn, signal);
  }

  /** Runs a store call, turning PostgreSQL errors with a known meaning into this package's errors. */
  async #run<T>(key: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw translatePgError(error, this.#opts, key);
    }
  }
}

function _checkWriteOptions(opts: WriteOptions): void {
  if (opts.expectedVersion !== undefined) assertInteger('expectedVersion', opts.expectedVersion, 0);
}

function _checkExpected(key: string, expected: number | undefined, actual: number): void {
  if (expected !== undefined && expected !== actual) throw new VersionConflictError(key, expected, actual);
}

/** The rows in version order, the last report of each version only (a later report replaces an earlier). */
function _lastPerVersion(rows: OutcomeRow[]): OutcomeRow[] {
  const byVersion = new Map<number, OutcomeRow>();
  for (const row of rows) byVersion.set(row.version, row);
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}
