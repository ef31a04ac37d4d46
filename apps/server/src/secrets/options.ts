import { parse, resolve } from 'node:path';
import type { ReferenceOptions } from '@cfg/source';
import { InvalidArgumentError } from 'commander';

/** The secret flags of `cfg serve`, as commander hands them over. */
export interface SecretFlags {
  /** `--secret-dir` (repeatable) / `CFG_SECRET_DIRS`: where `${file:…}` may read. */
  secretDir?: string[];
  /** `--secret-env` / `CFG_SECRET_ENV`: the variables `${env:…}` may read (names, or `PREFIX_*`). */
  secretEnv?: string[];
  /** `--no-references` turns the `${…}` step off: `${` is plain text, as before issue 15. */
  references: boolean;
}

/** Variables a config may never read: the server's own settings, tokens and database URL live there. */
const SERVER_PREFIX = 'CFG_';
/** An environment variable name as `${env:…}` accepts it, optionally ending in `*` (a prefix). */
const ENV_ENTRY = /^(?:[A-Za-z_][A-Za-z0-9_]*\*?|\*)$/;

/**
 * What the sources, the writers and the start-up snapshot resolve references with; `undefined`
 * with `--no-references`. References are ON by default, but allow nothing: a `${env:…}` or
 * `${file:…}` is refused with its position until the operator names the variable (`--secret-env`)
 * or the directory (`--secret-dir`). So a config holding a reference is never served as its
 * literal text (a password that reads `${env:DB_PASSWORD}`), and turning references on grants
 * no access by itself.
 */
export function referenceOptions(flags: SecretFlags): ReferenceOptions | undefined {
  if (!flags.references) return undefined;
  return {
    env: (flags.secretEnv ?? []).map(_envRule),
    fileDirs: flags.secretDir ?? [],
  };
}

/**
 * `--secret-dir /run/secrets --secret-dir /etc/app` (repeatable) and `CFG_SECRET_DIRS=/a,/b`. The
 * file system root is refused: it would let any config (one written through the API included) read
 * every file the server can, its tokens file and `/etc/shadow` among them.
 */
export function collectSecretDirs(value: string, previous: string[] = []): string[] {
  const dirs = [...previous];
  for (const item of value.split(',')) {
    const dir = item.trim();
    if (dir === '') continue;
    const absolute = resolve(dir);
    if (parse(absolute).root === absolute)
      throw new InvalidArgumentError(
        `"${dir}" would allow every file of the server; name the directory that holds the secrets, e.g. /run/secrets`,
      );
    if (!dirs.includes(absolute)) dirs.push(absolute);
  }
  return dirs;
}

/**
 * `--secret-env DB_PASSWORD,APP_*` / `CFG_SECRET_ENV`: names, `PREFIX_*` for every variable with a
 * prefix, `*` for all. Never a `CFG_` variable: `*` and prefixes leave them out, and naming one is
 * refused.
 */
export function collectSecretEnv(value: string, previous: string[] = []): string[] {
  const entries = [...previous];
  for (const item of value.split(',')) {
    const entry = item.trim();
    if (entry === '') continue;
    if (!ENV_ENTRY.test(entry))
      throw new InvalidArgumentError(
        `"${entry}" is not a variable name (letters, digits, _), a prefix such as APP_* or *`,
      );
    if (entry.toUpperCase().startsWith(SERVER_PREFIX))
      throw new InvalidArgumentError(
        `"${entry}": the server's own CFG_ variables (tokens, database URL) cannot be read by a config`,
      );
    if (!entries.includes(entry)) entries.push(entry);
  }
  return entries;
}

/** `NAME` → exactly it; `APP_*` → the prefix; `*` → every name but the server's own. */
function _envRule(entry: string): string | RegExp {
  if (!entry.endsWith('*')) return entry;
  const prefix = entry.slice(0, -1);
  return prefix === '' ? new RegExp(`^(?!${SERVER_PREFIX})`, 'i') : new RegExp(`^${prefix}`);
}
