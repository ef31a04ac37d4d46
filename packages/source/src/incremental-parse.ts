import {
  assembleFromBlocks,
  type BlockList,
  type BlockTally,
  type BlockValue,
  layoutBlocks,
  reusableValues,
} from './block-parse.js';
import { type BlockLayout, rescanConfigBlocks, scanConfigBlocks } from './config-blocks.js';
import { checkDocumentSize } from './limits.js';
import { type ParseContext, parseConfig, parseConfigWith } from './parse.js';
import {
  type ParseAsyncOptions,
  parseConfigAsync,
  parseInWorker,
  WORKER_THRESHOLD_BYTES,
  workerLimits,
} from './parse-async.js';
import { isPlainObject } from './plain-object.js';
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
  /** The last text assembled from blocks: where its blocks are, and their values. */
  #blocks: CutText | undefined;
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
    const cut = this.#split(text);
    const assembled = cut && assembleFromBlocks(cut.blocks, cut.reused, this.#ctx, tally, cut.namesUnique);
    if (cut && assembled) return this.#commit(text, cut, assembled.values, assembled.config, tally);
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
    const cut = this.#opts.parse ? undefined : this.#split(text);
    if (cut) {
      const { blocks, reused } = cut;
      const threshold = this.#opts.workerThresholdBytes ?? WORKER_THRESHOLD_BYTES;
      if (_newBytes(blocks, reused, threshold) < threshold) {
        const assembled = assembleFromBlocks(blocks, reused, this.#ctx, tally, cut.namesUnique);
        if (assembled) return this.#commit(text, cut, assembled.values, assembled.config, tally);
      } else {
        const parsed = await parseInWorker(
          { text, ctx: this.#ctx, blocks: true },
          workerLimits({ ...this.#opts, signal }),
        );
        if (parsed.values?.length === blocks.length) {
          const bytes = Buffer.byteLength(text);
          const whole = { layout: cut.layout };
          return this.#commit(text, whole, parsed.values, parsed.config, { parsed: blocks.length, bytes });
        }
        return this.#full(text, parsed.config, tally);
      }
    }
    const config = await parseConfigAsync(text, { ...this.#opts, ...(signal ? { signal } : {}) });
    return this.#full(text, config, tally);
  }

  /**
   * The blocks of a text within the size limit (a larger one is refused as `parseConfig` does),
   * with the values the last blocks give them. Cut from the last text's layout when it can be
   * (`#resplit`): only the part that differs is scanned, and the blocks before and after it are the
   * last ones, values included. Else scanned whole, and blocks found again by text.
   */
  #split(text: string): Cut | undefined {
    checkDocumentSize(Buffer.byteLength(text), this.#ctx);
    const last = this.#blocks;
    const cut = last && this.#resplit(text, last);
    if (cut) return cut;
    const layout = scanConfigBlocks(text);
    if (!layout) return undefined;
    const blocks = layoutBlocks(text, layout);
    const reused = last
      ? reusableValues(blocks, { blocks: layoutBlocks(last.text, last.layout), values: last.values })
      : [];
    return { layout, blocks, reused };
  }

  /**
   * `text` cut from the layout of `last` (`rescanConfigBlocks`): the blocks kept before and after
   * the part scanned again keep their values, and a block scanned again takes the value of a block
   * it replaced with the very same text. Undefined when the layout cannot be had that way.
   */
  #resplit(text: string, last: CutText): Cut | undefined {
    const again = rescanConfigBlocks(last.text, last.layout, text);
    if (!again) return undefined;
    const { layout, scanned, kept, synced } = again;
    const { starts, ends } = last.layout;
    const old = last.text;
    const reused: (BlockValue | undefined)[] = last.values.slice(0, kept);
    // The blocks scanned again take the value of a block they replaced with the very same text.
    const replaced = new Map<string, BlockValue>();
    for (let j = kept; j < synced; j++) replaced.set(old.slice(starts[j], ends[j]), last.values[j]!);
    for (let i = kept; i < kept + scanned; i++) {
      reused.push(replaced.get(text.slice(layout.starts[i], layout.ends[i])));
    }
    for (let j = synced; j < starts.length; j++) reused.push(last.values[j]);
    const names = last.names;
    if (!names) return { layout, blocks: layoutBlocks(text, layout), reused };
    // The modules of the blocks replaced; the kept ones are distinct modules of the last config.
    const dropped = new Set<unknown>();
    for (let j = kept; j < synced; j++) {
      const value = last.values[j]!;
      if ('module' in value) dropped.add(value.module);
    }
    const middle = { from: kept, to: kept + scanned };
    return {
      layout,
      blocks: layoutBlocks(text, layout),
      reused,
      namesUnique: (values) => _middleNamesUnique(values, middle, names, dropped),
      rename: { names, dropped, middle },
    };
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
    cut: Pick<Cut, 'layout' | 'rename'>,
    values: readonly BlockValue[],
    config: AppConfig,
    tally: BlockTally,
  ): IncrementalParseResult {
    const { layout } = cut;
    this.#blocks = { text, layout, values, names: _modulesByName(config, values, cut.rename) };
    const blocks = layout.starts.length;
    this.#last = { text, config, blocks };
    return this.#count({
      config,
      mode: 'blocks',
      blocksParsed: tally.parsed,
      blocksReused: blocks - tally.parsed,
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

/** A text assembled from blocks: where they are, and each one's value. */
interface CutText {
  text: string;
  layout: BlockLayout;
  values: readonly BlockValue[];
  /**
   * Each module of its config by name, when `modules` is the list of its module blocks (their names
   * are unique: the config passed the checks): what tells the next text's new names unique.
   */
  names: Map<string, unknown> | undefined;
}

/** What changed between a text cut by `#resplit` and the last one, for the names of its modules. */
interface Rename {
  /** The last text's modules by name (`CutText.names`). */
  names: Map<string, unknown>;
  /** The modules of the last text's blocks that were scanned again. */
  dropped: ReadonlySet<unknown>;
  /** The new text's blocks scanned again: `from` to `to - 1`. */
  middle: { from: number; to: number };
}

/** A new text's blocks, with the value each may take from the last text's (else undefined). */
interface Cut {
  layout: BlockLayout;
  blocks: BlockList;
  reused: (BlockValue | undefined)[];
  /** Whether the module names of the config these blocks assemble to are known unique. */
  namesUnique?: (values: readonly BlockValue[]) => boolean;
  rename?: Rename;
}

/**
 * Whether the modules of the blocks scanned again have names unique among themselves, that no
 * module kept from the last text has: the kept ones are distinct modules of the last config,
 * whose names were unique, so then every name is.
 */
function _middleNamesUnique(
  values: readonly BlockValue[],
  middle: Rename['middle'],
  names: ReadonlyMap<string, unknown>,
  dropped: ReadonlySet<unknown>,
): boolean {
  const seen = new Set<string>();
  for (let i = middle.from; i < middle.to; i++) {
    const value = values[i]!;
    if (!('module' in value)) continue;
    const name = isPlainObject(value.module) ? value.module.name : undefined;
    if (typeof name !== 'string' || seen.has(name)) return false;
    seen.add(name);
    const owner = names.get(name);
    if (owner !== undefined && !dropped.has(owner)) return false;
  }
  return true;
}

/**
 * `CutText.names` of a committed config: the last map moved on by what changed (a text cut by
 * `#resplit`), else made anew; none when `modules` is not the list of the module blocks.
 */
function _modulesByName(
  config: AppConfig,
  values: readonly BlockValue[],
  rename: Rename | undefined,
): Map<string, unknown> | undefined {
  if (rename) {
    const { names, dropped, middle } = rename;
    for (const module of dropped) {
      const name = (module as { name: string }).name;
      if (names.get(name) === module) names.delete(name);
    }
    for (let i = middle.from; i < middle.to; i++) {
      const value = values[i]!;
      if ('module' in value) names.set((value.module as { name: string }).name, value.module);
    }
    return names;
  }
  let items = 0;
  for (const value of values) if ('module' in value) items++;
  if (items === 0 || items !== config.modules.length) return undefined;
  return new Map(config.modules.map((module) => [module.name, module]));
}

/** UTF-8 bytes of the blocks without a reused value, counted up to `limit` (a large change then). */
function _newBytes(blocks: BlockList, reused: readonly (BlockValue | undefined)[], limit: number): number {
  let bytes = 0;
  for (let i = 0; i < blocks.length; i++) {
    if (reused[i] !== undefined) continue;
    bytes += Buffer.byteLength(blocks.text(i));
    if (bytes >= limit) break;
  }
  return bytes;
}
