import { userInfo } from 'node:os';
import { ConfigParseError, parseConfig, readConfigText } from '@cfg/source';
import { type DatabaseFlags, withDatabase } from '../db/connect.js';
import type { CommandResult } from './validate.js';

export interface PushFlags extends DatabaseFlags {
  key: string;
  message?: string;
  expectVersion?: number;
  /** Larger files are refused before anything is stored. @defaultValue `MAX_DOCUMENT_BYTES` */
  maxDocumentBytes?: number;
}

/**
 * `cfg push <file> --key <key>`: stores the file's text as the next version of the document, exactly
 * as written (comments included). The text must parse as a config; every server on the database
 * then validates and applies it, or rejects it and keeps its last good config.
 */
export async function pushCommand(file: string, flags: PushFlags): Promise<CommandResult> {
  const { maxDocumentBytes } = flags;
  let text: string;
  try {
    // Bounded and strict UTF-8, as every server that will read it back.
    text = await readConfigText(file, { maxDocumentBytes });
    parseConfig(text, { filename: file, maxDocumentBytes });
  } catch (error) {
    if (error instanceof ConfigParseError) return { lines: [error.message], exitCode: 1 };
    throw error;
  }
  return withDatabase(flags, async ({ store }) => {
    const written = await store.putDocument(flags.key, text, {
      actor: `cli:${userInfo().username}`,
      message: flags.message ?? `cfg push ${file}`,
      ...(flags.expectVersion === undefined ? {} : { expectedVersion: flags.expectVersion }),
    });
    const line = written.changed
      ? `pushed ${file} to "${flags.key}": version ${written.version}`
      : `"${flags.key}" already has this content: still version ${written.version}`;
    return { lines: [line], exitCode: 0 };
  });
}
