import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';

/** One built file of the console, held in memory (they are small: ~25 KB together). */
export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

export interface ConsoleAssets {
  index: ConsoleAsset;
  /** `assets/<name>-<hash>.<ext>` by file name. */
  files: ReadonlyMap<string, ConsoleAsset>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/**
 * The console as `@cfg/console` built it (apps/console/dist), read once. `undefined` when it was not
 * built: the server runs without it and `GET /` keeps answering JSON.
 */
export function loadConsoleAssets(dir = _consoleDist()): ConsoleAssets | undefined {
  if (!dir || !existsSync(join(dir, 'index.html'))) return undefined;
  const files = new Map<string, ConsoleAsset>();
  for (const name of readdirSync(join(dir, 'assets'))) {
    const type = TYPES[extname(name)];
    if (type) files.set(name, _asset(readFileSync(join(dir, 'assets', name)), type));
  }
  return { index: _asset(readFileSync(join(dir, 'index.html')), TYPES['.html']!), files };
}

function _asset(body: Buffer, contentType: string): ConsoleAsset {
  return {
    body,
    contentType,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
  };
}

function _consoleDist(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@cfg/console/package.json')), 'dist');
  } catch {
    return undefined;
  }
}
