export { diffConfigs } from './diff-configs.js';
export { DIFF_ERROR_CODES, type DiffErrorCode, DuplicateModuleError } from './errors.js';
export { type FormatOptions, formatConfigDiff, formatPathChange } from './format.js';
export { diffModules } from './modules.js';
export {
  type DiffRedaction,
  isSecretPath,
  redactByKey,
  redactDiff,
  redactModuleDiff,
} from './redact.js';
export { changedSections } from './sections.js';
export type { ConfigDiff, DiffOptions, ModuleChange, ModuleDiff, PathChange, PathOp } from './types.js';
