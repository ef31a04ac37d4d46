import {
  assembleFromBlocks,
  type BlockTally,
  type BlockValue,
  type ParsedBlocks,
  reusableValues,
} from './block-parse.js';
import { type ConfigBlock, splitConfigBlocks } from './config-blocks.js';
import { checkDocumentSize } from './limits.js';
import { type ParseContext, parseConfig, parseConfigWith } from './parse.js';
import {
  type ParseAsyncOptions,
  parseConfigAsync,
  parseInWorker,
  WORKER_THRESHOLD_BYTES,
  workerLimits,
} from './parse-async.js';
import type { AppConfig } from './types.js';

export interface IncrementalParserOptions
  extends ParseContext,
    Pick<ParseAsyncOptions, 'parse' | 'workerThresholdBytes' | 'timeoutMs' | 'workerHeapMb'> {}

/** What one parse did, and its config. */
export interface IncrementalParseResult {
  config: AppConfig;
  /**
   * `unchanged`: the text is the last one parsed, and its config is returned again. `blocks`: the
   * config was assembled from blocks, and only blocks whose text is new were parsed. `full`: the text
   * was parsed whole, as `parseConfig` does (see `IncrementalParser` for when).
   */
  mode: 'unchanged' | 'blocks' | 'full';
  /** Blocks handed to `yaml` one by one. */
  blocksParsed: number;
  /** Blocks whose value was taken from the last parse. */
  blocksReused: number;
  /** UTF-8 bytes handed to the parser: the blocks parsed, plus the whole text when it was parsed whole. */
  bytesParsed: number;
}

/** Totals over the parses that returned a config. */
export interface IncrementalParseStats {
  parses: number;
  /** How many parses had each `mode`. */
  unchanged: number;
  blocks: number;
  full: number;
  blocksParsed: number;
  blocksReused: number;
  bytesParsed: number;
}

/**
 * The text → config step of a source that sees one document change over time (a file saved again,
 * the next version of a stored document, an editor's open text): `parseConfig`, but it keeps the
 * last text's blocks (top-level sections, and each item of `modules`) with their parsed values, and
 * on a new text parses only the blocks whose bytes are new. A one-module edit in a 1,000-module
 * file parses about one module's bytes. The result always equals `parseConfig`'s on the same text,
 * and a text `parseConfig` refuses is refused with the very same error.
 *
 * It parses the text whole (`mode: 'full'`) whenever blocks could mean something else alone:
 * outside the plain subset `splitConfigBlocks` cuts (tabs, CR line ends, a byte order mark,
 * directives, `---`, flow style or quoted keys at the top level, unusual indentation of the module
 * items, JSON text), or when a new block fails to parse alone, uses an anchor, an alias or a tag,
 * or the blocks together break a rule (a repeated key, a repeated module name, any structural
 * problem). Every limit of `parseConfig` holds on both paths: the size of the whole text, and
 * nesting, duplicate keys and JSON-compatible values per block, each counted as in the whole text.
 *
 * Unchanged blocks keep their value objects, so consecutive configs share the modules that did not
 * change (a diff's identity check finds them at once): treat configs as read-only. With a custom
 * `parse`, texts are always parsed whole by it.
 */
export class IncrementalParser {
  readonly #opts: IncrementalParserOptions;
  readonly #ctx: ParseContext;
  /** The blocks of the last text assembled from blocks, with their values. */
  #blocks: ParsedBlocks = { texts: [], values: [] };
  #last: { text: string; config: AppConfig; blocks: number } | undefined;
  readonly #stats: IncrementalParseStats = {
    parses: 0,
    unchanged: 0,
    blocks: 0,
    full: 0,
    blocksParsed: 0,
    blocksReused: 0,
    bytesParsed: 0,
  };

  constructor(opts: IncrementalParserOptions) {
    this.#opts = { ...opts };
    const { parse: _p, workerThresholdBytes: _w, timeoutMs: _t, workerHeapMb: _h, ...ctx } = opts;
    this.#ctx = ctx;
  }

  /** Totals since this parser was made (a copy). */
  get stats(): IncrementalParseStats {
    return { ...this.#stats };
  }

  /** The config of `text`, on the calling thread (`parseConfig`'s result or error). */
  parse(text: string): IncrementalParseResult {
    const unchanged = this.#unchanged(text);
    if (unchanged) return unchanged;
    const tally: BlockTally = { parsed: 0, bytes: 0 };
    if (this.#opts.parse) return this.#full(text, parseConfigWith(this.#opts.parse, text, this.#ctx), tally);
    checkDocumentSize(Buffer.byteLength(text), this.#ctx);
    const blocks = splitConfigBlocks(text);
    const assembled =
      blocks && assembleFromBlocks(blocks, reusableValues(blocks, this.#blocks), this.#ctx, tally);
    if (blocks && assembled) return this.#commit(text, blocks, assembled.values, assembled.config, tally);
    return this.#full(text, parseConfig(text, this.#ctx), tally);
  }

  /**
   * `parse` that keeps the event loop free, as `parseConfigAsync` does: new blocks adding up to
   * less than `workerThresholdBytes` are parsed on the calling thread (the cost is bounded by the
   * change, not the text); a larger change, or a text parsed whole that is at least that large, is
   * parsed in a worker thread, bounded in time and heap.
   */
  async parseAsync(text: string, opts: { signal?: AbortSignal } = {}): Promise<IncrementalParseResult> {
    const { signal } = opts;
    signal?.throwIfAborted();
    const unchanged = this.#unchanged(text);
    if (unchanged) return unchanged;
    const tally: BlockTally = { parsed: 0, bytes: 0 };
    const blocks = this.#opts.parse ? undefined : this.#split(text);
    if (blocks) {
      const threshold = this.#opts.workerThresholdBytes ?? WORKER_THRESHOLD_BYTES;
      const reused = reusableValues(blocks, this.#blocks);
      if (_newBytes(blocks, reused, threshold) < threshold) {
        const assembled = assembleFromBlocks(blocks, reused, this.#ctx, tally);
        if (assembled) return this.#commit(text, blocks, assembled.values, assembled.config, tally);
      } else {
        const parsed = await parseInWorker(
          { text, ctx: this.#ctx, blocks: true },
          workerLimits({ ...this.#opts, signal }),
        );
        if (parsed.values?.length === blocks.length) {
          const bytes = Buffer.byteLength(text);
          return this.#commit(text, blocks, parsed.values, parsed.config, { parsed: blocks.length, bytes });
        }
        return this.#full(text, parsed.config, tally);
      }
    }
    const config = await parseConfigAsync(text, { ...this.#opts, ...(signal ? { signal } : {}) });
    return this.#full(text, config, tally);
  }

  /** The blocks of a text within the size limit (a larger one is refused as `parseConfig` does). */
  #split(text: string): ConfigBlock[] | undefined {
    checkDocumentSize(Buffer.byteLength(text), this.#ctx);
    return splitConfigBlocks(text);
  }

  #unchanged(text: string): IncrementalParseResult | undefined {
    const last = this.#last;
    if (last?.text !== text) return undefined;
    return this.#count({
      config: last.config,
      mode: 'unchanged',
      blocksParsed: 0,
      blocksReused: last.blocks,
      bytesParsed: 0,
    });
  }

  /** Keeps exactly the blocks of `text` (so memory follows the current text), and its config. */
  #commit(
    text: string,
    blocks: readonly ConfigBlock[],
    values: readonly BlockValue[],
    config: AppConfig,
    tally: BlockTally,
  ): IncrementalParseResult {
    this.#blocks = { texts: blocks.map((block) => block.text), values };
    this.#last = { text, config, blocks: blocks.length };
    return this.#count({
      config,
      mode: 'blocks',
      blocksParsed: tally.parsed,
      blocksReused: blocks.length - tally.parsed,
      bytesParsed: tally.bytes,
    });
  }

  /**
   * A text parsed whole. The blocks kept so far stay: each value belongs to its exact text, so a
   * later text that has those blocks again may still reuse them.
   */
  #full(text: string, config: AppConfig, tally: BlockTally): IncrementalParseResult {
    this.#last = { text, config, blocks: 0 };
    return this.#count({
      config,
      mode: 'full',
      blocksParsed: tally.parsed,
      blocksReused: 0,
      bytesParsed: tally.bytes + Buffer.byteLength(text),
    });
  }

  #count(result: IncrementalParseResult): IncrementalParseResult {
    const stats = this.#stats;
    stats.parses++;
    stats[result.mode]++;
    stats.blocksParsed += result.blocksParsed;
    stats.blocksReused += result.blocksReused;
    stats.bytesParsed += result.bytesParsed;
    return result;
  }
}

/** UTF-8 bytes of the blocks without a reused value, counted up to `limit` (a large change then). */
function _newBytes(
  blocks: readonly ConfigBlock[],
  reused: readonly (BlockValue | undefined)[],
  limit: number,
): number {
  let bytes = 0;
  for (let i = 0; i < blocks.length; i++) {
    if (reused[i] !== undefined) continue;
    bytes += Buffer.byteLength(blocks[i]!.text);
    if (bytes >= limit) break;
  }
  return bytes;
}
