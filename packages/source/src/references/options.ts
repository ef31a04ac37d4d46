import { resolve } from 'node:path';
import { ConfigSourceError } from '../errors.js';
import { MAX_DOCUMENT_BYTES } from '../limits.js';

/**
 * Turns on `${env:…}` and `${file:…}` references for a source (or for `resolveReferences` and
 * `checkReferences`). Without it, `${` is plain text, as it always was.
 */
export interface ReferenceOptions {
  /**
   * Which environment variables `${env:NAME}` may read: `true` any, `false` none, or a list of
   * names (exact) and patterns (tested on the name).
   * @defaultValue `true`
   */
  env?: boolean | readonly (string | RegExp)[];
  /**
   * Directories under which `${file:/path}` may read, checked on the path as written (`..` resolved)
   * and again on the real path after symlinks, so neither `..` nor a symlink leads out. Files in
   * subdirectories count. None means every file reference is refused.
   * @defaultValue `[]`
   */
  fileDirs?: readonly string[];
  /**
   * Largest file a reference may read, in bytes; larger ones are refused, from their size.
   * @defaultValue `MAX_REFERENCE_FILE_BYTES` (64 KiB)
   */
  maxFileBytes?: number;
  /**
   * Most distinct files one document may reference.
   * @defaultValue `MAX_REFERENCED_FILES` (1,000)
   */
  maxFiles?: number;
  /**
   * Most bytes (UTF-8) that references may put into one config, counted per use: a 10 KB file
   * referenced 3 times counts 30 KB.
   * @defaultValue `MAX_DOCUMENT_BYTES` (1 MiB)
   */
  maxResolvedBytes?: number;
  /**
   * Where `${env:…}` reads, e.g. a fixed object in tests.
   * @defaultValue `process.env`, read at every load
   */
  environment?: Readonly<Record<string, string | undefined>>;
}

/**
 * 64 KiB: a certificate chain or a private key is a few KB, and a Kubernetes Secret holds at most
 * 1 MiB in all. The bound keeps a reference to a big file from costing a big read on every check.
 */
export const MAX_REFERENCE_FILE_BYTES = 64 * 1024;

/** A document referencing more files than this is refused: each costs an open on every check. */
export const MAX_REFERENCED_FILES = 1000;

export type ResolvedReferenceOptions = Readonly<
  Required<Omit<ReferenceOptions, 'environment'>> & Pick<ReferenceOptions, 'environment'>
>;

/** Defaults written once; `fileDirs` made absolute; the result is frozen. */
export function resolveReferenceOptions(opts: ReferenceOptions): ResolvedReferenceOptions {
  const resolved = {
    // Defaults
    env: true,
    fileDirs: [] as readonly string[],
    maxFileBytes: MAX_REFERENCE_FILE_BYTES,
    maxFiles: MAX_REFERENCED_FILES,
    maxResolvedBytes: MAX_DOCUMENT_BYTES,
    ...Object.fromEntries(Object.entries(opts).filter(([, value]) => value !== undefined)),
  } as Required<ReferenceOptions>;
  for (const key of ['maxFileBytes', 'maxFiles', 'maxResolvedBytes'] as const) {
    const n = resolved[key];
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new ConfigSourceError(`references.${key} must be a whole number >= 0, got ${String(n)}`);
    }
  }
  return Object.freeze({
    ...resolved,
    fileDirs: Object.freeze(resolved.fileDirs.map((dir) => resolve(dir))),
  });
}
