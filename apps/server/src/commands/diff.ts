import { diffConfigs, formatConfigDiff } from '@cfg/diff';
import { FileSource, SECRET_KEY_PATTERN } from '@cfg/source';
import type { CommandResult } from './validate.js';

/**
 * `cfg diff <a> <b>`: which modules were added, removed or changed (with JSON Pointer paths) and
 * which sections changed. Exit code 0 when equal, 1 when they differ (like `diff`). References are
 * not resolved: `${file:…}` is compared as written (it is not secret; the file it names may be). A
 * value under a secret-looking key is never printed: the line says that it changed, not to what.
 */
export async function diffCommand(a: string, b: string, opts: { json?: boolean }): Promise<CommandResult> {
  const [before, after] = await Promise.all([new FileSource(a).load(), new FileSource(b).load()]);
  const diff = diffConfigs(before.config, after.config, {
    redact: {
      ...(before.secretPaths ? { previousSecretPaths: before.secretPaths } : {}),
      ...(after.secretPaths ? { nextSecretPaths: after.secretPaths } : {}),
      keyPattern: SECRET_KEY_PATTERN,
    },
  });
  const exitCode = diff.isEmpty ? 0 : 1;
  if (opts.json) return { lines: [JSON.stringify(diff, null, 2)], exitCode };
  return { lines: diff.isEmpty ? ['no differences'] : formatConfigDiff(diff), exitCode };
}
