import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';

export type Role = 'read' | 'admin';

/** One bearer token and who it stands for (the `name` is the actor recorded in history). */
export interface TokenEntry {
  name: string;
  role: Role;
  token: string;
}

export interface TokenSources {
  /** `CFG_ADMIN_TOKEN`: a token with write access, named `admin`. */
  adminToken?: string;
  /** `CFG_READ_TOKEN`: a read-only token, named `reader`. */
  readToken?: string;
  /** `--tokens-file`: YAML or JSON, `tokens: [{ name, role: admin|read, token }]`. */
  tokensFile?: string;
}

export interface LoadedTokens {
  entries: TokenEntry[];
  /** Set when nothing was configured and an admin token was generated for this run. */
  generated?: string;
}

/** Tokens shorter than this are refused: a guessable admin token is worse than none. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * What a bearer token can be: one word of printable ASCII. `Authorization: Bearer <token>` ends the
 * token at the first space, and a header cannot carry text past Latin-1 intact, so a token with
 * either was accepted at start and then never authenticated anyone.
 */
const TOKEN_CHARS = /^[\x21-\x7e]+$/;
const TOKEN_CHARS_RULE = 'printable ASCII without spaces (one word, e.g. from `openssl rand -hex 32`)';

const tokensFileSchema = z.strictObject({
  tokens: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'names are letters, digits, ".", "_", "@" or "-"'),
        role: z.enum(['admin', 'read']),
        token: z
          .string()
          .min(MIN_TOKEN_LENGTH, `tokens are at least ${MIN_TOKEN_LENGTH} characters`)
          .regex(TOKEN_CHARS, `tokens are ${TOKEN_CHARS_RULE}`),
      }),
    )
    .min(1),
});

/**
 * Collects the tokens from the environment and the tokens file. With none at all, generates a
 * random admin token for this run only (admin endpoints are never open, and never share a default).
 */
export async function loadTokens(sources: TokenSources): Promise<LoadedTokens> {
  const entries: TokenEntry[] = [];
  if (sources.adminToken)
    entries.push(_checked({ name: 'admin', role: 'admin', token: sources.adminToken }, 'CFG_ADMIN_TOKEN'));
  if (sources.readToken)
    entries.push(_checked({ name: 'reader', role: 'read', token: sources.readToken }, 'CFG_READ_TOKEN'));
  if (sources.tokensFile) entries.push(...(await _readTokensFile(sources.tokensFile)));
  _refuseDuplicates(entries);
  if (entries.length > 0) return { entries };
  const generated = generateToken();
  return { entries: [{ name: 'admin', role: 'admin', token: generated }], generated };
}

export function generateToken(): string {
  return `cfg_${randomBytes(24).toString('base64url')}`;
}

async function _readTokensFile(file: string): Promise<TokenEntry[]> {
  const text = await readFile(file, 'utf8');
  const result = tokensFileSchema.safeParse(parse(text));
  if (!result.success) {
    const first = result.error.issues[0];
    throw new Error(`${file}: ${first?.path.join('.') || 'tokens'}: ${first?.message ?? 'invalid'}`);
  }
  return result.data.tokens;
}

function _checked(entry: TokenEntry, from: string): TokenEntry {
  if (entry.token.length < MIN_TOKEN_LENGTH) {
    throw new Error(`${from} is shorter than ${MIN_TOKEN_LENGTH} characters; use a long random value`);
  }
  if (!TOKEN_CHARS.test(entry.token)) {
    throw new Error(
      `${from} must be ${TOKEN_CHARS_RULE}; it holds a space or another character a bearer token cannot carry`,
    );
  }
  return entry;
}

/** The same token twice would authenticate as whichever entry comes first: refused, naming both. */
function _refuseDuplicates(entries: readonly TokenEntry[]): void {
  const seen = new Map<string, TokenEntry>();
  for (const entry of entries) {
    const first = seen.get(entry.token);
    if (first) {
      throw new Error(
        `the same token is configured for "${first.name}" and "${entry.name}"; give each its own token`,
      );
    }
    seen.set(entry.token, entry);
  }
}
