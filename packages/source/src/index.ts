export { CompositeSource, type CompositeSourceOptions } from './composite-source.js';
export {
  decodeConfigBytes,
  type FileStamp,
  fileStamp,
  type ReadConfigOptions,
  readConfigText,
  sameFileStamp,
} from './config-bytes.js';
export {
  DatabaseSource,
  type DatabaseSourceOptions,
  type VersionSource,
  type VersionsOptions,
} from './database-source.js';
export { createDefineConfig, defineConfig } from './define-config.js';
export * from './edit/index.js';
export { errorMessage } from './error-message.js';
export {
  ConfigNotFoundError,
  ConfigParseError,
  ConfigSourceError,
  ConfigValidationError,
  describeSkipped,
  ERROR_CODES,
  type ErrorCode,
  NoUsableConfigError,
  type SkippedConfig,
  type ValidationIssue,
} from './errors.js';
export { type FileLoadOptions, type FileRead, FileSource, type FileSourceOptions } from './file-source.js';
export {
  type Candidate,
  type ConfigCheck,
  type FirstUsableOptions,
  firstUsable,
  type UsableConfig,
} from './first-usable.js';
export { canonicalJson, hashBytes, hashConfig, hashLayers } from './hash.js';
export {
  type IncrementalParseResult,
  IncrementalParser,
  type IncrementalParserOptions,
  type IncrementalParseStats,
} from './incremental-parse.js';
export { issueNodePath, moduleIssuePath } from './issue-path.js';
export { findJsonValueProblem, type JsonValueOptions, type JsonValueProblem } from './json-value.js';
export {
  checkDocumentSize,
  MAX_ALIAS_EXPANSION,
  MAX_DOCUMENT_BYTES,
  MAX_NESTING,
  type SizeContext,
} from './limits.js';
export {
  LITERAL_KEY,
  type MergeOptions,
  type MergePatchOptions,
  mergeConfigs,
  mergePatch,
  overridePatch,
  type SkippedModule,
} from './merge.js';
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
export { type ParseAsyncOptions, parseConfigAsync } from './parse-async.js';
export { isPlainObject } from './plain-object.js';
export * from './references/index.js';
export { callSafely } from './safe-call.js';
export {
  type LocalSnapshot,
  SnapshotFile,
  type SnapshotFileOptions,
  snapshotSource,
} from './snapshot-file.js';
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
  SnapshotLayer,
  StoredDocument,
  StoredVersion,
  StoredVersionInfo,
} from './types.js';
export { runWithTimeout } from './with-timeout.js';
export { type ParsedYaml, parseYamlDocument } from './yaml-document.js';
