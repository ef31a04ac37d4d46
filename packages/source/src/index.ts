export { CompositeSource, type CompositeSourceOptions } from './composite-source.js';
export { DatabaseSource, type DatabaseSourceOptions } from './database-source.js';
export { createDefineConfig, defineConfig } from './define-config.js';
export {
  ConfigNotFoundError,
  ConfigParseError,
  ConfigSourceError,
  ConfigValidationError,
  ERROR_CODES,
  type ErrorCode,
  type ValidationIssue,
} from './errors.js';
export { FileSource, type FileSourceOptions } from './file-source.js';
export { canonicalJson, hashBytes, hashConfig } from './hash.js';
export {
  type MergeOptions,
  type MergePatchOptions,
  mergeConfigs,
  mergePatch,
  type SkippedModule,
} from './merge.js';
export { MAX_NESTING } from './nesting.js';
export {
  type ConfigParser,
  type Locate,
  type ParseContext,
  parseConfig,
  parseConfigWith,
  parseText,
  type TextPosition,
  type ToAppConfigContext,
  toAppConfig,
} from './parse.js';
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
