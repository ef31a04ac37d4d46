import type { AppConfig } from './types.js';

/**
 * The config the last successful parse gave, keyed by the hash of its bytes: a source that loads
 * the same bytes again (an unchanged layer of a composite, a file both a watcher and a composite
 * read) hands back that config instead of parsing again. Parsing is a pure function of the bytes,
 * so this can never hide a change. Only a finished parse is remembered: a parse that fails or is
 * aborted leaves the last one in place.
 */
export class LastParse {
  #last: { hash: string; config: AppConfig } | undefined;

  /** The config for bytes hashing to `hash`: the remembered one, or `parse()`'s (then remembered). */
  async configFor(hash: string, parse: () => Promise<AppConfig>): Promise<AppConfig> {
    if (this.#last?.hash === hash) return this.#last.config;
    const config = await parse();
    this.#last = { hash, config };
    return config;
  }
}
