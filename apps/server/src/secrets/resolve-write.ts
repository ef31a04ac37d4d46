import {
  type AppConfig,
  ConfigReferenceError,
  type ReferenceOptions,
  type ReferenceProblem,
  type ResolvedReferences,
  resolveReferences,
  type ValidationIssue,
} from '@cfg/source';
import { codes } from '../http/errors.js';

/** What a write's text is, for the resolution's hash and the positions of its problems. */
export interface WriteContext {
  /** Names the text in messages (the stored document's source name). */
  filename: string;
  /** `hashBytes(text)`: the resolved hash builds on it, as the source's does. */
  textHash: string;
  /** The text, for `line:column` of a problem. */
  text?: string;
}

/**
 * The references of a config about to be stored (an API write, a rollback, a seed), resolved under
 * the server's own rules (`--secret-dir`, `--secret-env`), exactly as its source will resolve them
 * once stored. A reference that would not resolve — a file outside the allowed directories such as
 * `${file:/etc/passwd}`, a variable not allowed, a missing file — refuses the write: a 422
 * `CFG_ERR_INVALID_REFERENCE` carrying every problem (with its position, never a value) and, for the
 * console, each as an issue at its field; nothing is stored. Paths refused on their text are refused
 * before the file system is asked anything. Without `references` (`--no-references`) nothing is
 * resolved and the text's hash is the hash.
 */
export async function resolveWrite<C extends AppConfig>(
  config: C,
  references: ReferenceOptions | undefined,
  ctx: WriteContext,
): Promise<ResolvedReferences<C>> {
  if (!references) return { config, hash: ctx.textHash, secretPaths: [], references: [] };
  try {
    return await resolveReferences(config, { ...references, ...ctx });
  } catch (error) {
    if (!(error instanceof ConfigReferenceError)) throw error;
    throw codes.CFG_ERR_INVALID_REFERENCE.with(
      { problems: error.problems, issues: error.problems.map((p) => _issue(p, config)) },
      error.message,
    );
  }
}

/** A problem as a validation issue, at the path the console puts next to a field (`modules.db.config.password`). */
function _issue(problem: ReferenceProblem, config: AppConfig): ValidationIssue {
  const segments = problem.pointer
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (segments[0] === 'modules' && segments[1] !== undefined) {
    const module = config.modules[Number(segments[1])];
    if (module) segments[1] = module.name;
  }
  return { path: segments.join('.'), message: `${problem.reference}: ${problem.message}` };
}
