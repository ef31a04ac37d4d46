import { ConfigParseError } from '../errors.js';
import { moduleIssuePath } from '../issue-path.js';
import { findJsonValueProblem } from '../json-value.js';
import { MAX_NESTING } from '../limits.js';

/** How deep a module's `config` sits: the top level, `modules`, the module, then `config` itself. */
const CONFIG_LEVEL = 4;

/**
 * Refuses a module config that the edited text could not carry back: what the parser would refuse
 * (nesting past `MAX_NESTING` in its place, numbers JSON cannot hold) or what would read back as
 * something else (a `Date`, a class instance). A `ConfigParseError`, since the text it would make
 * does not parse as that config; the reason starts with the issue path of the value.
 */
export function assertWritableModuleConfig(filename: string, name: string, config: unknown): void {
  const problem = findJsonValueProblem(config, { maxNesting: MAX_NESTING - CONFIG_LEVEL + 1 });
  if (!problem) return;
  const at = moduleIssuePath(name, ['config', ...problem.path]);
  throw new ConfigParseError(`${at}: ${problem.reason}`, { file: filename });
}
