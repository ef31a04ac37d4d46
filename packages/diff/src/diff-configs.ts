import type { AppConfig } from './config-types.js';
import { diffModules } from './modules.js';
import { redactDiff } from './redact.js';
import { changedSections } from './sections.js';
import type { ConfigDiff, DiffOptions } from './types.js';

/**
 * Everything that differs between two configs: `diffModules` plus `changedSections`, and whether
 * there is anything at all. Pure; neither config is modified. Callers that may not need the result
 * can defer it: `getDiff: () => diffConfigs(previous, next)`. With `redact`, secret values are masked
 * (`redactDiff`): a diff to show, not to apply.
 *
 * @throws {DuplicateModuleError} when two modules on one side share a name.
 */
export function diffConfigs(previous: AppConfig, next: AppConfig, options?: DiffOptions): ConfigDiff {
  const modules = diffModules(previous, next);
  const sections = changedSections(previous, next);
  const isEmpty =
    sections.length === 0 &&
    modules.added.length === 0 &&
    modules.removed.length === 0 &&
    modules.modified.length === 0;
  const diff = { modules, sections, isEmpty };
  return options?.redact ? redactDiff(diff, previous, next, options.redact) : diff;
}
