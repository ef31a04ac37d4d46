import {
  type Candidate,
  type ConfigCheck,
  type ConfigSnapshot,
  type ConfigSource,
  firstUsable,
  NoUsableConfigError,
  type ReferenceOptions,
  type SnapshotFile,
  snapshotSource,
} from '@cfg/source';
import { isDatabaseUnavailable } from '../http/unavailable.js';
import type { StartupFallback } from '../runtime.js';

/** How far back start-up looks for a usable stored version. */
export const STARTUP_HISTORY_LIMIT = 100;

/** The config a replica starts on, and why it is not the newest stored version when it is not. */
export interface StartupChoice {
  initial: ConfigSnapshot;
  startup?: StartupFallback;
}

export interface StartupPlan {
  /** The stored document's key (named in the messages). */
  key: string;
  /** The engine's validation: a version it refuses is not started on. */
  check?: ConfigCheck;
  /** The stored versions, newest first, as what the server runs (overlay: merged over the base file). */
  candidates: () => AsyncIterable<Candidate>;
  /** Runs before the walk, e.g. seeding a missing document; a database failure here counts like one in the walk. */
  prepare?: () => Promise<void>;
  /** The local last-known-good snapshot of `key`; none when it is turned off. */
  snapshots?: SnapshotFile;
  /** What a saved document (a source named like the stored one) becomes: the server's candidate. */
  fromSnapshot: (document: ConfigSource) => Candidate;
  /** Set when the database already failed (e.g. while migrating): go to the snapshot at once. */
  storeError?: unknown;
  /** The stored document's source name (`database:<key>`), which a saved snapshot is served under. */
  documentName: string;
  /** The size limit a saved document is parsed under, as the stored one is. */
  maxDocumentBytes?: number;
  /** The saved document is an overlay layer (its modules may leave out `type`), as the stored one is. */
  overlay?: boolean;
  /** The saved document's references resolve as the stored one's do (it keeps the references, not their values). */
  references?: ReferenceOptions;
}

/**
 * Start-up never refuses because of the newest version: it starts on the newest stored version
 * that parses and validates, walking history back (at most `STARTUP_HISTORY_LIMIT` versions), and
 * when the database cannot be read at all, on the local snapshot. It fails only when nothing
 * usable exists, naming the key and the first problem.
 */
export async function chooseInitial(plan: StartupPlan): Promise<StartupChoice> {
  if (plan.storeError !== undefined) return _fromSnapshot(plan, plan.storeError);
  try {
    await plan.prepare?.();
    const { snapshot, skipped } = await firstUsable(plan.candidates(), {
      ...(plan.check ? { check: plan.check } : {}),
      limit: STARTUP_HISTORY_LIMIT,
    });
    return { initial: snapshot, ...(skipped.length > 0 ? { startup: { from: 'history', skipped } } : {}) };
  } catch (error) {
    if (error instanceof NoUsableConfigError) {
      throw new Error(`no stored version of "${plan.key}" is usable: ${error.message}`, { cause: error });
    }
    if (!isDatabaseUnavailable(error)) throw error;
    return _fromSnapshot(plan, error);
  }
}

/** The local snapshot when the store cannot be read; the store's error (with a note) when there is none. */
async function _fromSnapshot(plan: StartupPlan, storeError: unknown): Promise<StartupChoice> {
  const { snapshots, key } = plan;
  const saved = await snapshots?.read(key);
  if (!snapshots || !saved) {
    const where = snapshots ? `none usable at ${snapshots.path}` : 'turned off (--no-snapshot)';
    throw new Error(
      `${(storeError as Error).message}; no local snapshot of "${key}" to start from instead (${where})`,
      { cause: storeError },
    );
  }
  const { documentName: name, maxDocumentBytes, overlay, references } = plan;
  const document = snapshotSource(saved, {
    name,
    ...(maxDocumentBytes === undefined ? {} : { maxDocumentBytes }),
    ...(overlay ? { overlay } : {}),
    ...(references ? { references } : {}),
  });
  try {
    const { snapshot } = await firstUsable([plan.fromSnapshot(document)], {
      ...(plan.check ? { check: plan.check } : {}),
    });
    const code = _codeOf(storeError);
    const message = (storeError as Error).message;
    return {
      initial: snapshot,
      startup: {
        from: 'snapshot',
        file: snapshots.path,
        storeError: { ...(typeof code === 'string' ? { code } : {}), message },
      },
    };
  } catch (error) {
    throw new Error(
      `${(storeError as Error).message}; the local snapshot ${snapshots.path} is not usable either: ${(error as Error).message}`,
      { cause: storeError },
    );
  }
}

/** The first `code` along the error's causes (a wrapped driver error keeps its code below). */
function _codeOf(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
