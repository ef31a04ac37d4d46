export { diffConfigs } from './diff-configs.js';
export { DIFF_ERROR_CODES, type DiffErrorCode, DuplicateModuleError } from './errors.js';
export { type FormatOptions, formatConfigDiff, formatPathChange } from './format.js';
export { diffModules } from './modules.js';
export { changedSections } from './sections.js';
export type { ConfigDiff, ModuleChange, ModuleDiff, PathChange, PathOp } from './types.js';
