import { userInfo } from 'node:os';
import { ConfigParseError, parseConfig, readConfigText } from '@cfg/source';
import { type DatabaseFlags, withDatabase } from '../db/connect.js';
import { awaitRollout } from '../fleet/await-rollout.js';
import type { CommandResult } from './validate.js';

/** How many existing keys the refusal of an unknown `--key` lists. */
const KNOWN_KEYS_SHOWN = 10;

export interface PushFlags extends DatabaseFlags {
  key: string;
  /** Start a new document when `key` does not exist; without it, an unknown key is refused (a typo must not start one). */
  create?: boolean;
  message?: string;
  expectVersion?: number;
  /** Larger files are refused before anything is stored. @defaultValue `MAX_DOCUMENT_BYTES` */
  maxDocumentBytes?: number;
  /** `--wait[=timeout]`, in ms: wait for every live server to report the version. */
  wait?: number;
}

/**
 * `cfg push <file> --key <key>`: stores the file's text as the next version of the document, exactly
 * as written (comments included). The text must parse as a config; every server on the database
 * then validates and applies it, or rejects it and keeps its last good config. A key that does not
 * exist yet is refused unless `--create`: a typo in `--key` must not silently start a new document.
 * With `--wait`, it then waits for the fleet's verdict on that version (identical content: on the
 * current version).
 */
export async function pushCommand(file: string, flags: PushFlags): Promise<CommandResult> {
  const { maxDocumentBytes } = flags;
  let text: string;
  try {
    // Bounded and strict UTF-8, as every server that will read it back. The key may hold an overlay,
    // whose modules may leave out `type`; servers check everything else.
    text = await readConfigText(file, { maxDocumentBytes });
    parseConfig(text, { filename: file, maxDocumentBytes, overlay: true });
  } catch (error) {
    if (error instanceof ConfigParseError) return { lines: [error.message], exitCode: 1 };
    throw error;
  }
  return withDatabase(flags, async ({ store }) => {
    const exists = (await store.getDocumentHash(flags.key)) !== null;
    if (!exists && !flags.create) {
      const known = (await store.listDocuments({ limit: KNOWN_KEYS_SHOWN })).map((d) => d.key);
      throw new Error(
        `no document "${flags.key}"${known.length > 0 ? ` (there are: ${known.join(', ')})` : ''}; check --key, or pass --create to start a new document`,
      );
    }
    const written = await store.putDocument(flags.key, text, {
      actor: `cli:${userInfo().username}`,
      message: flags.message ?? `cfg push ${file}`,
      // Created only if still absent: a concurrent creator makes this a conflict, not an overwrite.
      ...(exists ? {} : { expectedVersion: 0 }),
      ...(flags.expectVersion === undefined ? {} : { expectedVersion: flags.expectVersion }),
    });
    const line = !exists
      ? `created "${flags.key}" from ${file}: version ${written.version}`
      : written.changed
        ? `pushed ${file} to "${flags.key}": version ${written.version}`
        : `"${flags.key}" already has this content: still version ${written.version}`;
    if (flags.wait === undefined) return { lines: [line], exitCode: 0 };
    const rollout = await awaitRollout(store, flags.key, written.version, flags.wait);
    return { lines: [line, ...rollout.lines], exitCode: rollout.exitCode };
  });
}
