import { constants, type FileHandle, open, realpath, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { readOpenFile } from '../config-bytes.js';
import { formatBytes } from '../limits.js';
import type { ResolvedReferenceOptions } from './options.js';
import {
  REFERENCE_PROBLEM_CODES as CODES,
  type ReferenceProblemCode,
  type ReferenceTarget,
} from './types.js';

/** What one target gave: its value, "not set" (env), "there and readable" (check mode), or a problem. */
export type TargetState =
  | { kind: 'value'; value: string }
  | { kind: 'unset' }
  | { kind: 'present' }
  | { kind: 'problem'; code: ReferenceProblemCode; message: string };

/** `read`: values, as a load needs them. `check`: the same rules, but no file content is read. */
export type ReadMode = 'read' | 'check';

/** Files opened at once: enough to overlap the I/O, few enough never to run out of descriptors. */
const FILE_CONCURRENCY = 8;
/** Not following a symlink at the last step, and never blocking on a FIFO. */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0);
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export function targetKey(target: ReferenceTarget): string {
  return target.kind === 'env' ? `env:${target.name}` : `file:${target.path}`;
}

/**
 * The state of every target, each env variable looked up and each file read (or, in `check` mode,
 * looked at) once. Never throws for a target: what goes wrong is its state.
 */
export async function readTargets(
  targets: readonly ReferenceTarget[],
  opts: ResolvedReferenceOptions,
  mode: ReadMode,
  signal?: AbortSignal,
): Promise<Map<string, TargetState>> {
  const states = new Map<string, TargetState>();
  const files: string[] = [];
  for (const target of targets) {
    if (target.kind === 'env') states.set(targetKey(target), _readEnv(target.name, opts));
    else files.push(target.path);
  }
  if (files.length === 0) return states;
  const dirs = await _allowedDirs(opts.fileDirs);
  for (let i = 0; i < files.length; i += FILE_CONCURRENCY) {
    signal?.throwIfAborted();
    const batch = files.slice(i, i + FILE_CONCURRENCY);
    const read = await Promise.all(batch.map((path) => _readFile(path, dirs, opts, mode)));
    batch.forEach((path, j) => {
      states.set(`file:${path}`, read[j]!);
    });
  }
  signal?.throwIfAborted();
  return states;
}

function _readEnv(name: string, opts: ResolvedReferenceOptions): TargetState {
  if (!_envAllowed(name, opts.env)) {
    return _problem(
      CODES.CFG_REF_ENV_NOT_ALLOWED,
      `environment variable ${name} is not allowed (references.env lists the ones that are)`,
    );
  }
  const value = (opts.environment ?? process.env)[name];
  return value === undefined ? { kind: 'unset' } : { kind: 'value', value };
}

function _envAllowed(name: string, rule: ResolvedReferenceOptions['env']): boolean {
  if (typeof rule === 'boolean') return rule;
  return rule.some((entry) => {
    if (typeof entry === 'string') return entry === name;
    entry.lastIndex = 0; // a /g or /y pattern keeps state between tests
    return entry.test(name);
  });
}

interface AllowedDirs {
  /** As configured, and their real paths: what a path as written may start with. */
  written: string[];
  /** Real paths only: what a path may start with once its symlinks are resolved. */
  real: string[];
}

/** The allowed directories, as given and through their symlinks (e.g. `/var/run` → `/run`). */
async function _allowedDirs(fileDirs: readonly string[]): Promise<AllowedDirs> {
  const real = await Promise.all(fileDirs.map((dir) => realpath(dir).catch(() => dir)));
  return { written: [...new Set([...fileDirs, ...real])], real };
}

/**
 * One file reference: allowed as written (`..` resolved, before the file system is asked anything,
 * so a refused path reveals nothing about the file), allowed again after symlinks, then a regular
 * file within the size limit, read as UTF-8 with one trailing line break dropped.
 */
async function _readFile(
  path: string,
  dirs: AllowedDirs,
  opts: ResolvedReferenceOptions,
  mode: ReadMode,
): Promise<TargetState> {
  if (opts.fileDirs.length === 0) {
    return _problem(
      CODES.CFG_REF_FILE_NOT_ALLOWED,
      'file references are off: no directory is allowed (set references.fileDirs, e.g. ["/run/secrets"])',
    );
  }
  const allowed = `allowed: ${opts.fileDirs.join(', ')} (references.fileDirs)`;
  // `..` is resolved on the text, and that very path is the one looked up: what was allowed is what is read.
  const written = resolve(path);
  if (!_inside(written, dirs.written)) {
    return _problem(CODES.CFG_REF_FILE_NOT_ALLOWED, `${path} is outside the allowed directories; ${allowed}`);
  }
  let real: string;
  try {
    real = await realpath(written);
  } catch (error) {
    return _fsProblem(path, error);
  }
  if (!_inside(real, dirs.real)) {
    return _problem(
      CODES.CFG_REF_FILE_NOT_ALLOWED,
      `${path} leads outside the allowed directories through a symlink; ${allowed}`,
    );
  }
  // The real path is what is read: a symlink swapped meanwhile cannot redirect the read.
  return mode === 'check' ? _statFile(path, real, opts) : _readRealFile(path, real, opts);
}

async function _statFile(path: string, real: string, opts: ResolvedReferenceOptions): Promise<TargetState> {
  try {
    return _sizeProblem(path, await stat(real), opts) ?? { kind: 'present' };
  } catch (error) {
    return _fsProblem(path, error);
  }
}

async function _readRealFile(
  path: string,
  real: string,
  opts: ResolvedReferenceOptions,
): Promise<TargetState> {
  let handle: FileHandle;
  try {
    handle = await open(real, OPEN_FLAGS);
  } catch (error) {
    return _fsProblem(path, error);
  }
  try {
    const info = await handle.stat();
    const refused = _sizeProblem(path, info, opts);
    if (refused) return refused;
    let bytes: Buffer;
    try {
      bytes = await readOpenFile(handle, info.size, (total) => {
        if (total > opts.maxFileBytes) throw new RangeError(formatBytes(total));
      });
    } catch (error) {
      if (error instanceof RangeError) return _tooLarge(path, opts);
      throw error;
    }
    let text: string;
    try {
      text = UTF8.decode(bytes);
    } catch {
      return _problem(CODES.CFG_REF_FILE_NOT_TEXT, `${path} is not UTF-8 text`);
    }
    return { kind: 'value', value: _dropFinalLineBreak(text) };
  } catch (error) {
    return _fsProblem(path, error);
  } finally {
    await handle.close();
  }
}

function _sizeProblem(
  path: string,
  info: { isFile(): boolean; size: number },
  opts: ResolvedReferenceOptions,
): TargetState | undefined {
  if (!info.isFile()) return _problem(CODES.CFG_REF_FILE_UNREADABLE, `${path} is not a regular file`);
  return info.size > opts.maxFileBytes ? _tooLarge(path, opts) : undefined;
}

function _tooLarge(path: string, opts: ResolvedReferenceOptions): TargetState {
  return _problem(
    CODES.CFG_REF_FILE_TOO_LARGE,
    `${path} is over the limit of ${formatBytes(opts.maxFileBytes)} (references.maxFileBytes)`,
  );
}

/** `echo secret > file` writes a line break the secret does not have. */
function _dropFinalLineBreak(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

function _inside(path: string, dirs: readonly string[]): boolean {
  return dirs.some((dir) => path.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`));
}

function _fsProblem(path: string, error: unknown): TargetState {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return _problem(CODES.CFG_REF_FILE_MISSING, `${path} does not exist`);
  }
  return _problem(CODES.CFG_REF_FILE_UNREADABLE, `${path} cannot be read (${code ?? 'error'})`);
}

function _problem(code: ReferenceProblemCode, message: string): TargetState {
  return { kind: 'problem', code, message };
}
