import { randomUUID } from 'node:crypto';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateToken, MIN_TOKEN_LENGTH } from './tokens.js';

/** The file in the embedded data directory that holds the generated admin token. */
export const ADMIN_TOKEN_FILE = 'admin-token';

/** Longest token file read (a token is ~50 characters; anything big is not ours). */
const MAX_TOKEN_FILE_BYTES = 4096;

export interface KeptToken {
  token: string;
  /** Absolute path of the file. */
  file: string;
  /** True when this call generated the token and wrote the file. */
  created: boolean;
}

/**
 * The admin token kept in `dir/admin-token`: read when the file exists, else generated and written
 * with mode 0600. Every start and every replica on the same data directory gets the same token, so a
 * restart does not invalidate the `$TOKEN` an operator exported. Racing first starts agree: the file
 * is written in full under a temporary name and linked into place, and `link` fails if one exists.
 * A file that others may read, or that does not hold a usable token, is refused with what to do.
 */
export async function keptAdminToken(dir: string): Promise<KeptToken> {
  const file = join(dir, ADMIN_TOKEN_FILE);
  const existing = await _read(file);
  if (existing !== undefined) return { token: existing, file, created: false };

  const token = generateToken();
  const temporary = `${file}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${token}\n`, { mode: 0o600 });
  try {
    await link(temporary, file);
    return { token, file, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { token: (await _read(file)) as string, file, created: false }; // another start won
  } finally {
    await unlink(temporary).catch(() => {});
  }
}

/** The token in `file`, or undefined when there is no file. */
async function _read(file: string): Promise<string | undefined> {
  let mode: number;
  try {
    const info = await stat(file);
    if (info.size > MAX_TOKEN_FILE_BYTES) throw _unusable(file, 'it is too large to hold a token');
    mode = info.mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if ((mode & 0o077) !== 0) {
    throw _unusable(
      file,
      `others may read it (mode ${(mode & 0o777).toString(8)}): chmod 600 it, or delete it for a new token`,
    );
  }
  const token = (await readFile(file, 'utf8')).trim();
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    throw _unusable(
      file,
      `it does not hold one token of at least ${MIN_TOKEN_LENGTH} characters: fix or delete it`,
    );
  }
  return token;
}

function _unusable(file: string, why: string): Error {
  return new Error(`cannot use the admin token file ${file}: ${why}`);
}
