import type { AppConfig } from '@cfg/source';
import { diffModules } from './modules.js';
import { changedSections } from './sections.js';
import type { ConfigDiff } from './types.js';

/**
 * Everything that differs between two configs: `diffModules` plus `changedSections`, and whether
 * there is anything at all. Pure; neither config is modified. Callers that may not need the result
 * can defer it: `getDiff: () => diffConfigs(previous, next)`.
 *
 * @throws {DuplicateModuleError} when two modules on one side share a name.
 */
export function diffConfigs(previous: AppConfig, next: AppConfig): ConfigDiff {
  const modules = diffModules(previous, next);
  const sections = changedSections(previous, next);
  const isEmpty =
    sections.length === 0 &&
    modules.added.length === 0 &&
    modules.removed.length === 0 &&
    modules.modified.length === 0;
  return { modules, sections, isEmpty };
}
