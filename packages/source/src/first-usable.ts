import {
  ConfigValidationError,
  ERROR_CODES,
  NoUsableConfigError,
  type SkippedConfig,
  type ValidationIssue,
} from './errors.js';
import type { AppConfig, ConfigSnapshot, ConfigSource } from './types.js';

/** Checks a parsed config; issues (or a thrown `ConfigValidationError`) make a candidate unusable. */
export type ConfigCheck = (
  config: AppConfig,
  // biome-ignore lint/suspicious/noConfusingVoidType: a check that only throws returns nothing.
) => readonly ValidationIssue[] | void | Promise<readonly ValidationIssue[] | void>;

/** A candidate: any source; a stored version says which (`DatabaseSource.atVersion`). */
export type Candidate = ConfigSource & { readonly version?: number };

export interface FirstUsableOptions {
  /** Run on each candidate that parses. @defaultValue none: parsing is enough */
  check?: ConfigCheck;
  /**
   * At most this many candidates are loaded.
   * @defaultValue `100`
   */
  limit?: number;
  signal?: AbortSignal;
}

export interface UsableConfig {
  /** The first candidate that parsed and passed the check. */
  snapshot: ConfigSnapshot;
  /** The candidates before it, and why each was passed over (the newest first). */
  skipped: SkippedConfig[];
}

/**
 * The first candidate that parses and passes `check`, in the order given — typically
 * `source.versions()`, newest first — and the ones passed over on the way. Start-up uses it so that a
 * bad newest version never stops a process: it starts on the newest usable one and says what it
 * skipped. Only content problems (`CFG_PARSE`, `CFG_VALIDATION`) move on to the next candidate; any
 * other failure (the store is unreachable, the document is missing) rejects at once, because an
 * older version is no answer to it. No usable candidate: `NoUsableConfigError`.
 */
export async function firstUsable(
  candidates: Iterable<Candidate> | AsyncIterable<Candidate>,
  opts: FirstUsableOptions = {},
): Promise<UsableConfig> {
  const limit = opts.limit ?? 100;
  const skipped: SkippedConfig[] = [];
  for await (const candidate of candidates) {
    if (skipped.length >= limit) break;
    opts.signal?.throwIfAborted();
    const at = candidate.version === undefined ? {} : { version: candidate.version };
    try {
      const snapshot = await candidate.load({ ...(opts.signal ? { signal: opts.signal } : {}) });
      const issues = (await opts.check?.(snapshot.config)) ?? [];
      if (issues.length > 0) throw new ConfigValidationError([...issues], { subject: candidate.name });
      return { snapshot, skipped };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== ERROR_CODES.CFG_PARSE && code !== ERROR_CODES.CFG_VALIDATION) throw error;
      skipped.push({
        source: candidate.name,
        ...at,
        code,
        message: (error as Error).message,
        ...(error instanceof ConfigValidationError ? { issues: error.issues } : {}),
      });
    }
  }
  throw new NoUsableConfigError(skipped, { limit });
}
