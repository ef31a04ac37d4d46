import type { ConfigReloader } from '@cfg/reloader';
import type { Logger, SnapshotFile } from '@cfg/source';

/** Texts kept by version, for the next save: the newest few are enough. */
const TEXTS_KEPT = 8;
/**
 * How long a save waits after the version it saves was applied. The save (a file write and two
 * fsyncs, about 2 ms of CPU) then stays out of the way of the reload and of the other processes
 * applying the same version on the machine, and a burst of versions costs one save per this (the
 * newest). The price: a process killed within this of an apply restarts, when the database is
 * also down, from the version before.
 */
const SAVE_DELAY_MS = 1_000;

export interface LastGoodOptions {
  file: SnapshotFile;
  /** The stored document whose applied versions are kept. */
  key: string;
  /** Reads a version's text when it was not seen on its way in (rare: a fallback, not the rule). */
  read: (version: number) => Promise<string | undefined>;
  logger: Logger;
  /** See `SAVE_DELAY_MS`. @defaultValue 1_000 */
  saveDelayMs?: number;
}

/**
 * Keeps the local last-known-good snapshot of a stored document: after each version the reloader
 * applies, that version's text goes to the snapshot file. Texts are remembered as they are loaded
 * or written, so a save costs no database read. Saves run one at a time, `saveDelayMs` after a
 * version is applied, and coalesce: only the newest version waiting then is saved.
 */
export class LastGood {
  readonly #opts: LastGoodOptions;
  readonly #texts = new Map<number, string>();
  #saved: number | undefined;
  #wanted: number | undefined;
  /** The save loop while it runs. */
  #saving: Promise<void> | undefined;
  /** Ends the pause between two saves early (`stop`). */
  #wake: (() => void) | undefined;
  #stopping = false;
  #lastWarning: string | undefined;

  constructor(opts: LastGoodOptions) {
    this.#opts = opts;
  }

  /** A text seen for `version` of the document (loaded by the source, or written by the API). */
  remember(version: number, data: string): void {
    this.#texts.delete(version);
    this.#texts.set(version, data);
    if (this.#texts.size > TEXTS_KEPT) this.#texts.delete(this.#texts.keys().next().value!);
  }

  /** `version` is already in the snapshot file (the process started from it). */
  alreadySaved(version: number | undefined): void {
    this.#saved = version;
  }

  /**
   * Saves the version `reloader` runs now, and every later one it applies. `stop()` stops
   * following and saves what is still waiting, without the pause.
   */
  follow(reloader: ConfigReloader): { stop(): Promise<void> } {
    this.#want(reloader.current.version);
    const unfollow = reloader.on('current:update', ({ current }) => this.#want(current.version));
    return {
      stop: async () => {
        unfollow();
        this.#stopping = true;
        this.#wake?.();
        await this.#saving;
      },
    };
  }

  #want(version: number | undefined): void {
    if (version === undefined || version === this.#saved) return;
    this.#wanted = version;
    this.#saving ??= this.#drain().finally(() => {
      this.#saving = undefined;
    });
  }

  async #drain(): Promise<void> {
    while (this.#wanted !== undefined) {
      if (!this.#stopping) await this.#pause(this.#opts.saveDelayMs ?? SAVE_DELAY_MS);
      const version = this.#wanted;
      this.#wanted = undefined;
      if (version === undefined || version === this.#saved) continue;
      await this.#save(version);
    }
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms).unref();
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async #save(version: number): Promise<void> {
    const { file, key, read, logger } = this.#opts;
    try {
      const data = this.#texts.get(version) ?? (await read(version));
      if (data === undefined) return;
      await file.save({ key, version, data });
      this.#saved = version;
      this.#lastWarning = undefined;
    } catch (error) {
      // Serving goes on without it; say so once per kind of failure, not once per version.
      const message = (error as Error).message;
      if (message === this.#lastWarning) return;
      this.#lastWarning = message;
      logger.warn(
        { path: file.path, version, err: message },
        `could not save the local snapshot ${file.path}: ${message}`,
      );
    }
  }
}
