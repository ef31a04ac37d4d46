/** What a process did with one stored version (the reloader's outcomes). */
export type FleetOutcome = 'noop' | 'partial' | 'full' | 'rejected' | 'superseded';

/** A process that follows a document, as it registers itself. */
export interface InstanceRegistration {
  /** Unique per process: 1–100 characters from `A-Z a-z 0-9 . _ : -`. */
  id: string;
  /** The document it follows (its config, or the overlay it writes to). */
  key: string;
  /** Host name, at most 255 characters. */
  host: string;
  pid: number;
  /** How it runs, e.g. `database` or `overlay`; at most 32 characters. */
  mode: string;
  /**
   * Free-form `name → value` labels (zone, release, …): at most 32, names 1–63 characters from
   * `A-Z a-z 0-9 . _ / -`, values at most 255 characters.
   * @defaultValue `{}`
   */
  labels?: Record<string, string>;
  /** @defaultValue now */
  startedAt?: Date;
  /** The stored version it starts on, and that version's hash. */
  version?: number;
  hash?: string;
  /**
   * How long it counts as live without a heartbeat, in ms.
   * @defaultValue `30_000`
   */
  ttlMs?: number;
}

/** One outcome, as an instance reports it. */
export interface OutcomeReport {
  instanceId: string;
  key: string;
  version: number;
  outcome: FleetOutcome;
  /** The hash of the version's snapshot. */
  hash?: string;
  /** For `rejected`: a stable code such as `CFG_VALIDATION`. At most 100 characters. */
  errorCode?: string;
  /** For `rejected` (and `superseded`): why. Cut to 1,000 characters. */
  error?: string;
  /** For validation rejections: the first 10 issues are kept, each message cut to 500 characters. */
  issues?: readonly { path: string; message: string }[];
  durationMs?: number;
}

/** An instance's newest outcome. */
export interface LastOutcome {
  version: number;
  outcome: FleetOutcome;
  errorCode: string | null;
  at: Date;
}

/** One instance as `fleet()` reads it back. */
export interface FleetInstance {
  id: string;
  key: string;
  host: string;
  pid: number;
  mode: string;
  labels: Record<string, string>;
  startedAt: Date;
  heartbeatAt: Date;
  /** `live`: heartbeating; `stopped`: shut down cleanly; `gone`: stopped heartbeating (crashed, cut off). */
  state: 'live' | 'stopped' | 'gone';
  /** The version it runs (`null` before its first report), and since when. */
  version: number | null;
  hash: string | null;
  appliedAt: Date | null;
  /** The document's newest version minus `version` (0: up to date). `null` when either is unknown. */
  lag: number | null;
  lastOutcome: LastOutcome | null;
}

/** What one instance did with one version; `pending`: nothing yet. */
export type RolloutStatus = 'applied' | 'rejected' | 'superseded' | 'pending';

/** One version of the document with the live instances counted by what they did with it. */
export interface FleetVersion {
  version: number;
  op: string;
  hash: string | null;
  actor: string;
  changedAt: Date;
  counts: Record<RolloutStatus, number>;
}

/** `fleet(key)`: who follows `key`, what they run, and how the recent versions went. */
export interface FleetState {
  key: string;
  /** The document's newest version with content (`null`: never written). */
  newestVersion: number | null;
  /** Live instances first (by id), then the recently stopped or gone ones, newest first. */
  instances: FleetInstance[];
  /** The most recent versions (deletions left out), newest first. */
  versions: FleetVersion[];
}

export interface FleetOptions {
  /**
   * How many recent versions to count.
   * @defaultValue `10`
   */
  versions?: number;
  /**
   * Also list instances that stopped or went quiet this long ago at most, in ms (`0`: live ones only).
   * @defaultValue `3_600_000` (one hour)
   */
  goneWithinMs?: number;
}

/** What one live instance did with the version a rollout waits for. */
export interface RolloutInstance {
  instance: FleetInstance;
  status: RolloutStatus;
  /** The report for this version, when there is one. */
  outcome: {
    outcome: FleetOutcome;
    errorCode: string | null;
    error: string | null;
    issues: { path: string; message: string }[] | null;
    at: Date;
  } | null;
}

/**
 * Where version `version` of `key` stands across the live instances:
 * - `complete`: every live instance applied it (or has moved past it);
 * - `rejected`: at least one live instance rejected it;
 * - `pending`: some have not reported it yet.
 */
export interface Rollout {
  key: string;
  version: number;
  state: 'complete' | 'rejected' | 'pending';
  instances: RolloutInstance[];
}

export interface WaitForRolloutOptions {
  /**
   * Give up after this long, in ms, and return the rollout as it stands (`state: 'pending'`).
   * @defaultValue `60_000`
   */
  timeoutMs?: number;
  /**
   * Re-read this often, in ms, whatever the notifications say (the safety net behind NOTIFY).
   * @defaultValue `1_000`
   */
  pollIntervalMs?: number;
  /** Stop waiting early (rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Called with each new reading, e.g. to print progress. */
  onProgress?: (rollout: Rollout) => void;
}

/** The NOTIFY payload of an outcome report, on the store's fleet channel. */
export interface FleetNotice {
  key: string;
  version: number;
  instanceId: string;
  outcome: FleetOutcome;
}
