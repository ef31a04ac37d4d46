import { CommanderError } from 'commander';
import { UsageError } from '../serve/options.js';

/** One exit code per class of outcome, for every `cfg` command. */
export const EXIT = {
  ok: 0,
  /** The command ran and failed, or its answer is "no": an invalid config, files that differ, a refused write, a database error. */
  failure: 1,
  /** The command line is wrong: an unknown command or option, a missing argument, a bad or conflicting value. */
  usage: 2,
} as const;

/** The exit code for an error that reached the top of the CLI. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof UsageError) return EXIT.usage;
  return EXIT.failure;
}

/**
 * One line that says what went wrong. File system errors name the file and, for a relative path,
 * the directory it was looked up in (the usual mistake is running from another directory).
 */
export function describeError(error: unknown, cwd = process.cwd()): string {
  if (!(error instanceof Error)) return String(error);
  const { code, path } = _fileError(error);
  if (typeof path === 'string') {
    const where = path.startsWith('/') ? '' : ` (looked in ${cwd})`;
    if (code === 'ENOENT') return `${path}: no such file${where}`;
    if (code === 'EISDIR') return `${path}: is a directory, not a file`;
    if (code === 'EACCES' || code === 'EPERM') return `${path}: permission denied`;
  }
  return error.message;
}

/** The file system facts of an error: its own, or those of a `ConfigNotFoundError` (`location` is the path). */
function _fileError(error: Error): { code?: string; path?: string } {
  const { code, path, location } = error as NodeJS.ErrnoException & { location?: unknown };
  if (code === 'CFG_NOT_FOUND' && typeof location === 'string') return { code: 'ENOENT', path: location };
  return { code, path };
}
