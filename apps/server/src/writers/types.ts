import type { DocumentVersion, HistoryEntry } from '@cfg/pg-store';
import type { AppConfig, ConfigSnapshot, ValidationIssue } from '@cfg/source';
import type { PhaseTimings } from '../http/phase-timings.js';

/**
 * Where API writes go:
 * - `file`: nowhere durable; applied in memory until the next change of the file;
 * - `database`: the whole config is one stored document, edited in place;
 * - `overlay`: the file is the base, a stored overlay document holds API writes on top of it.
 */
export type WriteMode = 'file' | 'database' | 'overlay';

export interface WriteContext {
  /** The token name, recorded as the actor of the new version. */
  actor: string;
  /** The `If-Match` header: the version (stored modes) or hash (file mode) the client last saw. */
  ifMatch?: string;
  /** Checks the config the write would produce; a non-empty list refuses it before anything is written. */
  validate: (config: AppConfig) => ValidationIssue[];
  /** Where a writer adds the time it spent per phase (`Server-Timing`). */
  timings?: PhaseTimings;
  /**
   * Aborted when the client went away: a write whose store has not started by then is not stored
   * (it rejects with the signal's reason).
   */
  signal?: AbortSignal;
}

export interface WriteOutcome {
  /** The snapshot to apply now. */
  snapshot: ConfigSnapshot;
  /** True when the write was stored (a new version), false when it lives only in this process. */
  persisted: boolean;
  version?: number;
}

/** Turns an API write into a snapshot to apply, persisting it where the mode says. */
export interface ConfigWriter {
  readonly mode: WriteMode;
  /** The stored document the API writes to (`database` and `overlay` modes). */
  readonly key?: string;
  /** Sets module `name`'s effective config to exactly `config`. */
  writeModuleConfig(
    current: ConfigSnapshot,
    name: string,
    config: Record<string, unknown>,
    ctx: WriteContext,
  ): Promise<WriteOutcome>;
  /** History of the stored document; absent in file mode. */
  readonly versions?: ConfigVersions;
  /**
   * Resolves once every write accepted so far has finished, including those whose client already
   * went away (shutdown waits for them before closing the database).
   */
  drain?(): Promise<void>;
  /**
   * Shutdown began: writes whose store has not started yet fail with `CFG_ERR_SHUTTING_DOWN` and
   * store nothing; a store already running finishes within the store's own timeouts.
   */
  close?(): void;
}

export interface ConfigVersions {
  readonly key: string;
  history(opts: { limit?: number; beforeVersion?: number }): Promise<HistoryEntry[]>;
  getVersion(version: number): Promise<DocumentVersion>;
  /** Writes version `version`'s content as a new version, after checking the config it yields. */
  rollback(version: number, ctx: WriteContext): Promise<WriteOutcome>;
}
