import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** Where `pnpm start` (`cfg serve --store embedded`) keeps its cluster, relative to the repository root. */
export const DEFAULT_DATA_DIR = '.data/pg';

/**
 * The nearest `.data/pg` in `from` or a directory above it, so the CLI finds the embedded database of
 * a checkout from any directory inside it (`apps/server`, `packages/…`). Undefined when there is none.
 */
export async function findDataDir(from: string): Promise<string | undefined> {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, DEFAULT_DATA_DIR);
    if (await _isDirectory(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

async function _isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
