import type { AppConfig, ConfigSnapshot, Logger, ModuleConfig, ValidationIssue } from '@cfg/source';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { ReloadErrorCode } from './errors.js';

/** What a module receives when it is reconfigured in place. */
export interface ReconfigureContext {
  /** The config the module runs on now (for a rollback: the config it is being taken back from). */
  previous: ModuleConfig;
  /** Aborted when `moduleTimeoutMs` elapses; stop work and leave the module as it was. */
  signal: AbortSignal;
}

/**
 * A module that can change its config in place, without being rebuilt.
 *
 * `reconfigure` must be all-or-nothing: when it throws (or its signal aborts) the module keeps running
 * on `ctx.previous`. `prepareReconfigure` checks `next` without side effects; throwing rejects the
 * whole change before any module is touched.
 */
export interface Reconfigurable {
  reconfigure(next: ModuleConfig, ctx: ReconfigureContext): unknown;
  prepareReconfigure?(next: ModuleConfig): unknown;
}

export interface FullReloadContext {
  /** Aborted when `reloadTimeoutMs` elapses; stop building and keep the old module set. */
  signal: AbortSignal;
}

/**
 * The running application, as the reloader sees it.
 *
 * Contract for `fullReload`: build and start the complete new module set first, and swap it in only
 * once it has been built and started. If it throws (or its signal aborts), the old set must still be
 * running untouched — the reloader keeps the old config as `current`.
 */
export interface ReloadTarget<C extends AppConfig = AppConfig> {
  /** The live module instance for `name`; it is reconfigured in place when it is `Reconfigurable`. */
  getModule(name: string): unknown;
  fullReload(next: C, ctx: FullReloadContext): Promise<void>;
}

/**
 * Checks a config before anything is applied. Either a function — throwing or returning a non-empty
 * issue list rejects the change — or any Standard Schema (zod 4, valibot, arktype, …), used for its
 * verdict only: the config applied is always the one that was hashed, never the schema's output.
 */
export type ConfigValidator<C extends AppConfig = AppConfig> = StandardSchemaV1 | ValidatorFunction<C>;

/** Throws, or returns (or resolves to) the issues found; returning nothing or `[]` accepts. */
export type ValidatorFunction<C extends AppConfig = AppConfig> = (
  config: C,
  // biome-ignore lint/suspicious/noConfusingVoidType: a validator that only throws returns nothing (void), sync or async.
) => void | readonly ValidationIssue[] | Promise<void | readonly ValidationIssue[]>;

export interface ReloaderOptions<C extends AppConfig = AppConfig> {
  /** The config the target runs on when the reloader is created. */
  initial: ConfigSnapshot<C>;
  target: ReloadTarget<C>;
  /** Optional check run before every change is planned. */
  validate?: ConfigValidator<C>;
  /**
   * Upper bound for one module's `prepareReconfigure`, `reconfigure` or rollback.
   * @defaultValue 10_000
   */
  moduleTimeoutMs?: number;
  /**
   * Upper bound for validation and for one `target.fullReload`.
   * @defaultValue 60_000
   */
  reloadTimeoutMs?: number;
  /** Where warnings (rejected changes) and errors (failed rollbacks, throwing listeners) go. */
  logger?: Logger;
}

/**
 * - `noop`: nothing to apply (same hash, or a new hash with no effective difference); `current`
 *   still takes the snapshot's hash and version.
 * - `partial`: the changed modules were reconfigured in place.
 * - `full`: `target.fullReload` rebuilt the application.
 * - `rejected`: nothing applied; the last good config stays current.
 * - `superseded`: never applied, because a newer change arrived while a reload was running, or
 *   because it is an older stored version than one already handed over.
 */
export type ReloadOutcome = 'noop' | 'partial' | 'full' | 'rejected' | 'superseded';

export const RELOAD_OUTCOMES: readonly ReloadOutcome[] = [
  'noop',
  'partial',
  'full',
  'rejected',
  'superseded',
];

/** What finally happened to one changed module. */
export type ModuleStatus = 'reconfigured' | 'rolled-back' | 'failed' | 'rebuilt';

export interface ModuleReport {
  name: string;
  status: ModuleStatus;
  /** Time spent on this module (for `rebuilt`: the whole full reload). */
  durationMs: number;
  /** Why the module failed, or the failure a rebuilt module recovered from. */
  error?: string;
}

export interface ReloadResult {
  outcome: ReloadOutcome;
  /** Hash of `current` when the change was decided. */
  fromHash: string;
  /** Version of `current` when the change was decided (absent for an unversioned source). */
  fromVersion?: number;
  /** Hash of the change's snapshot. */
  toHash: string;
  version?: number;
  source: string;
  /** The changed modules this change touched, in the order they were applied. */
  modules: ModuleReport[];
  /** Why this plan was chosen, e.g. `section "secrets" changed`. */
  reason?: string;
  /** Why the change was rejected. */
  error?: string;
  errorCode?: ReloadErrorCode;
  /** For `CFG_VALIDATION` rejections: every issue found. */
  issues?: ValidationIssue[];
  /** For `superseded`: the hash of the newer change that was handled instead. */
  supersededBy?: string;
  durationMs: number;
  at: Date;
}

/** The last rejection, as `status()` reports it. */
export interface ReloadFailure {
  code: ReloadErrorCode;
  message: string;
  toHash: string;
  at: Date;
}

export interface ReloaderStatus {
  current: { hash: string; version?: number; source: string; loadedAt: Date };
  lastResult: ReloadResult | null;
  lastError: ReloadFailure | null;
  counts: Record<ReloadOutcome, number>;
  /** True after a rejected change, until a later change is applied (or `setCurrent` is called). */
  degraded: boolean;
  /** True while a change is being applied. */
  reloading: boolean;
  /** Changes waiting behind the running one (all but the newest will be superseded). */
  queued: number;
}

/** Every event the reloader emits, with its payload. Listener errors are logged, never rethrown. */
export interface ReloaderEventMap<C extends AppConfig = AppConfig> {
  /** Every settled change, whatever its outcome (superseded ones included). */
  reload: ReloadResult;
  /** A change begins (validation, planning and applying follow). */
  'reload:start': { fromHash: string; toHash: string; source: string; at: Date };
  /** A change was applied or found to be a no-op; `current` now has its hash. */
  'reload:applied': ReloadResult;
  /** A change was rejected; `current` is unchanged. */
  'reload:rejected': ReloadResult;
  /** A change was skipped in favour of a newer one. */
  'reload:superseded': ReloadResult;
  /** `current` changed, by a reload or by `setCurrent`. */
  'current:update': { previous: ConfigSnapshot<C>; current: ConfigSnapshot<C> };
}

export type ReloaderEventName = keyof ReloaderEventMap;
