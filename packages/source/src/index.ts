export {
  ConfigNotFoundError,
  ConfigParseError,
  ConfigValidationError,
  ERROR_CODES,
  type ErrorCode,
  type ValidationIssue,
} from './errors.js';
export { canonicalJson, hashBytes, hashConfig } from './hash.js';
export type {
  AppConfig,
  ConfigChangeEvent,
  ConfigDocumentStore,
  ConfigSnapshot,
  ConfigSource,
  DocumentChangeNotice,
  DocumentSubscribeOptions,
  LoadOptions,
  LogFn,
  Logger,
  ModuleConfig,
  StoredDocument,
} from './types.js';
