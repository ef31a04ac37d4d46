import { ConfigParseError } from '../errors.js';
import type { ReferenceProblem } from './types.js';

/**
 * A config whose `${…}` references cannot be resolved: bad syntax, a variable that is not set or
 * not allowed, a file that is missing, unreadable, too large, or outside `references.fileDirs`.
 * A `ConfigParseError` (code `CFG_PARSE`), so everything that keeps the last good config on a bad
 * text does the same here: watchers report it once per content, `firstUsable` walks past it, the
 * reloader never sees it. The message is the first problem, at the reference's `file:line:column`:
 * `config.yaml:7:15: ${env:DB_PASSWORD} (/modules/0/config/password): environment variable
 * DB_PASSWORD is not set`. Never carries a value.
 */
export class ConfigReferenceError extends ConfigParseError {
  override readonly name = 'ConfigReferenceError';
  /** Every problem found (at most `MAX_PROBLEMS`), the first one first. */
  readonly problems: readonly ReferenceProblem[];

  constructor(problems: readonly ReferenceProblem[], file: string) {
    const first = problems[0]!;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    super(`${describeProblem(first)}${more}`, { file, line: first.line, column: first.column });
    this.problems = problems;
  }
}

/** `${env:X} (/modules/0/config/password): environment variable X is not set`. */
export function describeProblem(problem: ReferenceProblem): string {
  return `${problem.reference} (${problem.pointer || '/'}): ${problem.message}`;
}
