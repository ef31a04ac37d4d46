import { ERROR_CODES } from '../errors.js';
import type { AppConfig, ConfigSnapshot, LoadOptions } from '../types.js';
import { type FoundReferences, ReferenceFinder } from './find.js';
import { type ReferenceOptions, type ResolvedReferenceOptions, resolveReferenceOptions } from './options.js';
import { hashFound, resolveFound } from './resolve.js';
import { mayHoldReferences } from './syntax.js';

/** What `apply` is told besides the snapshot. */
export interface ApplyContext extends LoadOptions {
  /** The text, for the position of a problem; read only when there is one. */
  text?: string | (() => string);
}

/** What `hash` is told besides the text's hash. */
export interface HashContext extends LoadOptions {
  /** The text or its bytes, when at hand: a text without `${` needs nothing more. */
  text?: string | Buffer;
  /** A full load of the source, for a text never parsed yet. */
  load: () => Promise<ConfigSnapshot>;
}

/**
 * The reference step of one source, after its parse: `apply` resolves a freshly parsed snapshot,
 * `hash` gives what `load().hash` would give without parsing again. It remembers the references of
 * the last text it saw parsed (found once per text, kept even when resolving them failed, so that
 * a missing secret's appearance changes `hash()`), and which files they name. Without options it
 * does nothing: `${` stays plain text.
 */
export class ReferenceStage {
  readonly #opts: ResolvedReferenceOptions | undefined;
  readonly #filename: string;
  #last: { textHash: string; config: AppConfig; found: FoundReferences } | undefined;
  /** Finds the references of each new config walking only its new blocks (sections, modules). */
  readonly #finder = new ReferenceFinder();

  constructor(opts: ReferenceOptions | undefined, filename: string) {
    this.#opts = opts && resolveReferenceOptions(opts);
    this.#filename = filename;
  }

  /** Blocks (top-level values, modules) walked for references so far: new objects only. */
  get blocksWalked(): number {
    return this.#finder.blocksWalked;
  }

  /** Absolute paths of the files the last parsed text references, as written. */
  get files(): string[] {
    return (this.#last?.found.targets ?? []).flatMap((t) => (t.kind === 'file' ? [t.path] : []));
  }

  /** The snapshot with its references resolved (its `hash` taken as the text's hash). */
  async apply(snapshot: ConfigSnapshot, ctx: ApplyContext = {}): Promise<ConfigSnapshot> {
    const opts = this.#opts;
    if (!opts) return snapshot;
    const { config, hash: textHash } = snapshot;
    const last = this.#last;
    const found = last?.config === config ? last.found : this.#finder.find(config);
    this.#last = { textHash, config, found };
    const resolved = await resolveFound(config, found, opts, { ...ctx, textHash, filename: this.#filename });
    if (resolved.config === config) return snapshot;
    return {
      ...snapshot,
      config: resolved.config,
      hash: resolved.hash,
      ...(resolved.secretPaths.length > 0 ? { secretPaths: resolved.secretPaths } : {}),
      ...(resolved.references.length > 0 ? { references: resolved.references } : {}),
    };
  }

  /**
   * What `load().hash` gives now for a text hashing to `textHash`: the text's hash when it holds no
   * reference; else the references' values read again (no parse) for the text last parsed; else,
   * for a text never parsed that may hold references, `ctx.load()`'s hash (a text that fails to
   * parse hashes as itself, and its load reports why).
   */
  async hash(textHash: string, ctx: HashContext): Promise<string> {
    const opts = this.#opts;
    if (!opts) return textHash;
    if (this.#last?.textHash !== textHash) {
      if (ctx.text !== undefined && !mayHoldReferences(ctx.text)) return textHash;
      try {
        return (await ctx.load()).hash;
      } catch (error) {
        if ((error as { code?: unknown }).code !== ERROR_CODES.CFG_PARSE) throw error;
        if (this.#last?.textHash !== textHash) return textHash;
      }
    }
    return hashFound(this.#last!.found, opts, textHash, ctx.signal);
  }
}
