export {
  DocumentNotFoundError,
  InvalidIdentifierError,
  InvalidKeyError,
  InvalidNoticeError,
  ListenConnectionError,
  NotMigratedError,
  PG_STORE_ERROR_CODES,
  PgStoreError,
  type PgStoreErrorCode,
  SchemaTooNewError,
  StoreTimeoutError,
  type TimeoutPhase,
  UnknownInstanceError,
  VersionConflictError,
} from './errors.js';
export { rolloutStatus } from './fleet.js';
export type {
  FleetInstance,
  FleetNotice,
  FleetOptions,
  FleetOutcome,
  FleetState,
  FleetVersion,
  InstanceRegistration,
  LastOutcome,
  OutcomeReport,
  Rollout,
  RolloutInstance,
  RolloutStatus,
  WaitForRolloutOptions,
} from './fleet-types.js';
export type { ChangeListenerFn } from './listener.js';
export type { MigrateResult } from './migrate.js';
export { LATEST_MIGRATION } from './migrations.js';
export type { PgConfigStoreOptions } from './options.js';
export { PgConfigStore } from './store.js';
export type {
  DocumentInfo,
  DocumentOp,
  DocumentVersion,
  HistoryEntry,
  HistoryOptions,
  ListDocumentsOptions,
  PgDocumentChangeNotice,
  PutDocumentResult,
  WriteOptions,
} from './types.js';
export { KEY_PATTERN } from './validate.js';
