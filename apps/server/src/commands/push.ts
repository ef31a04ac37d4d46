import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { ConfigParseError, parseConfig } from '@cfg/source';
import { type DatabaseFlags, withDatabase } from '../db/connect.js';
import type { CommandResult } from './validate.js';

export interface PushFlags extends DatabaseFlags {
  key: string;
  message?: string;
  expectVersion?: number;
}

/**
 * `cfg push <file> --key <key>`: stores the file's text as the next version of the document, exactly
 * as written (comments included). The text must parse as a config; every server on the database
 * then validates and applies it, or rejects it and keeps its last good config.
 */
export async function pushCommand(file: string, flags: PushFlags): Promise<CommandResult> {
  const text = await readFile(file, 'utf8');
  try {
    // The key may hold an overlay, whose modules may leave out `type`; servers check everything else.
    parseConfig(text, { filename: file, overlay: true });
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
