import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AppConfig,
  type ConfigChangeEvent,
  type FileRead,
  FileSource,
  hashBytes,
  type LoadOptions,
} from '@cfg/source';
import { afterEach, vi } from 'vitest';

/** How long a test waits for something that should happen; generous for a loaded 2-core machine. */
export const WAIT_MS = 15_000;

/** Temp directories and watchers that are cleaned up after each test, watchers first. */
export function useFixtures(): {
  tempDir: () => Promise<string>;
  track: <T extends { stop(): Promise<void> }>(watcher: T) => T;
} {
  const dirs: string[] = [];
  const watchers: { stop(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(watchers.splice(0).map((watcher) => watcher.stop()));
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return {
    tempDir: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'cfg-watcher-'));
      dirs.push(dir);
      return dir;
    },
    track: (watcher) => {
      watchers.push(watcher);
      return watcher;
    },
  };
}

/** A valid YAML config; `revision` tells saves apart and survives parsing. */
export function configText(revision: number, modules = 3): string {
  const lines = [`revision: ${revision}`, 'modules:'];
  for (let i = 0; i < modules; i++) {
    lines.push(`  - name: m${i}`, '    type: http', '    config:', `      port: ${8000 + i}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Hash of a config text, as FileSource computes it. */
export const hashOf = (text: string): string => hashBytes(text);

/**
 * A FileSource that counts finished reads of the file (`read()`, which `hash()` goes through), so a
 * test can wait for a check to complete.
 */
export class CountingFileSource extends FileSource {
  hashReads = 0;

  override async read(opts?: LoadOptions): Promise<FileRead> {
    try {
      return await super.read(opts);
    } finally {
      this.hashReads++;
    }
  }
}

/** Polls `condition` until it holds (vitest's waitFor), with a generous timeout. */
export function until(condition: () => boolean, timeout = WAIT_MS): Promise<void> {
  return vi.waitFor(
    () => {
      if (!condition()) throw new Error('condition not met yet');
    },
    { timeout, interval: 5 },
  );
}

/** Records what a watcher delivers, so a test can wait for it and look at it. */
export class Recorder<C extends AppConfig = AppConfig> {
  readonly changes: ConfigChangeEvent<C>[] = [];
  readonly errors: Error[] = [];
  private readonly _handle: ((event: ConfigChangeEvent<C>) => unknown) | undefined;

  /** `handle` runs inside `onChange` after the change is recorded (and is awaited). */
  constructor(handle?: (event: ConfigChangeEvent<C>) => unknown) {
    this._handle = handle;
  }

  readonly onChange = (event: ConfigChangeEvent<C>): unknown => {
    this.changes.push(event);
    return this._handle?.(event);
  };

  readonly onError = (error: Error): void => {
    this.errors.push(error);
  };

  get last(): ConfigChangeEvent<C> | undefined {
    return this.changes.at(-1);
  }

  /** Resolves with the first change delivered after this call. */
  async nextChange(): Promise<ConfigChangeEvent<C>> {
    const seen = this.changes.length;
    await until(() => this.changes.length > seen);
    return this.changes[seen]!;
  }

  /** Resolves once a change to exactly `text` has been delivered (earlier ones included). */
  async changeTo(text: string): Promise<ConfigChangeEvent<C>> {
    const hash = hashOf(text);
    await until(() => this.changes.some((change) => change.newHash === hash));
    return this.changes.find((change) => change.newHash === hash)!;
  }

  /** Resolves with the first error reported after this call. */
  async nextError(): Promise<Error> {
    const seen = this.errors.length;
    await until(() => this.errors.length > seen);
    return this.errors[seen]!;
  }
}
