import { diffConfigs, formatConfigDiff } from '@cfg/diff';
import { FileSource } from '@cfg/source';
import type { CommandResult } from './validate.js';

/**
 * `cfg diff <a> <b>`: which modules were added, removed or changed (with JSON Pointer paths) and
 * which sections changed. Exit code 0 when equal, 1 when they differ (like `diff`).
 */
export async function diffCommand(a: string, b: string, opts: { json?: boolean }): Promise<CommandResult> {
  const [before, after] = await Promise.all([new FileSource(a).load(), new FileSource(b).load()]);
  const diff = diffConfigs(before.config, after.config);
  const exitCode = diff.isEmpty ? 0 : 1;
  if (opts.json) return { lines: [JSON.stringify(diff, null, 2)], exitCode };
  return { lines: diff.isEmpty ? ['no differences'] : formatConfigDiff(diff), exitCode };
}
