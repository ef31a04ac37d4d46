import { type Document, isAlias } from 'yaml';
import { type BlockLayout, type ConfigBlock, scanConfigBlocks } from './config-blocks.js';
import { type ParseContext, toAppConfigChecked } from './parse.js';
import { isPlainObject } from './plain-object.js';
import type { AppConfig } from './types.js';
import { parseYamlDocument, someNode } from './yaml-document.js';

/** A block's parsed value: a section's key and value, or one module (an item of `modules`). */
export type BlockValue = { key: string; value: unknown } | { module: unknown };

/** Blocks, read by index: a text's blocks are cut out of it only when asked for. */
export interface BlockList {
  readonly length: number;
  kind(i: number): ConfigBlock['kind'];
  text(i: number): string;
}

/** The blocks `layout` cuts `text` into. */
export function layoutBlocks(text: string, layout: BlockLayout): BlockList {
  const { starts, ends, kinds } = layout;
  return {
    length: starts.length,
    kind: (i) => kinds[i]!,
    text: (i) => text.slice(starts[i], ends[i]),
  };
}

/** The blocks of the last text assembled from blocks: `values[i]` is the value of block `i`. */
export interface ParsedBlocks {
  blocks: BlockList;
  values: readonly BlockValue[];
}

/** What assembling cost: blocks handed to `yaml`, and their UTF-8 bytes. */
export interface BlockTally {
  parsed: number;
  bytes: number;
}

/** A config assembled from blocks, with each block's value (`values[i]` is `blocks[i]`'s). */
export interface AssembledConfig {
  config: AppConfig;
  values: BlockValue[];
}

/**
 * The value each of `blocks` may take from `previous`: the one of a block with the very same text
 * (a block's value depends on its text alone), else undefined. Blocks are matched in place from
 * both ends, which compares strings without hashing them; only the blocks in between, where the
 * edit is, are looked up by text (so moved blocks are found too).
 */
export function reusableValues(blocks: BlockList, previous: ParsedBlocks): (BlockValue | undefined)[] {
  const { blocks: old, values } = previous;
  const found = new Array<BlockValue | undefined>(blocks.length);
  const both = Math.min(blocks.length, old.length);
  let head = 0;
  while (head < both && blocks.text(head) === old.text(head)) {
    found[head] = values[head];
    head++;
  }
  let tail = 0;
  while (head + tail < both && blocks.text(blocks.length - 1 - tail) === old.text(old.length - 1 - tail)) {
    found[blocks.length - 1 - tail] = values[old.length - 1 - tail];
    tail++;
  }
  if (head + tail < blocks.length && head + tail < old.length) {
    const byText = new Map<string, BlockValue>();
    for (let j = head; j < old.length - tail; j++) byText.set(old.text(j), values[j]!);
    for (let i = head; i < blocks.length - tail; i++) found[i] = byText.get(blocks.text(i));
  }
  return found;
}

/**
 * The config of a text cut into `blocks`, parsing only the blocks without a `reused` value (`tally`
 * counts them). Each is parsed by `parseYamlDocument` as a text of its own, so every limit and
 * check of a full parse applies to it; a module is parsed under a `modules:` line of its own, so
 * that its nesting counts from the top level as in the whole text. Then the sections' keys must be
 * unique, and the assembled value passes `toAppConfig` (module names unique across blocks); of a
 * reused module, which passed those checks in the parse it comes from, only its name is checked
 * again (`toAppConfigChecked`), so the checks cost what changed plus one name lookup per module;
 * and none when `namesUnique` says the items' names are unique (it is asked only when `modules` is
 * the list of the module blocks).
 *
 * Undefined when anything is in doubt — a block that fails to parse alone, uses an anchor, an
 * alias or a tag, or is not one key (one item); a repeated key; a structural problem — and the
 * caller parses the whole text instead, which gives the canonical result or error.
 */
export function assembleFromBlocks(
  blocks: BlockList,
  reused: readonly (BlockValue | undefined)[],
  ctx: ParseContext,
  tally: BlockTally,
  namesUnique?: (values: readonly BlockValue[]) => boolean,
): AssembledConfig | undefined {
  const config: Record<string, unknown> = {};
  const values: BlockValue[] = [];
  const keys = new Set<string>();
  let modules: unknown[] | undefined;
  /** The list the items of `modules` make, if any. */
  let items: unknown[] | undefined;
  let modulesDone = false;
  /** Per item of `modules`: a reused value, which passed `toAppConfig`'s module checks before. */
  const checked: boolean[] = [];
  for (let i = 0; i < blocks.length; i++) {
    let value = reused[i];
    if (value === undefined) {
      const text = blocks.text(i);
      tally.parsed++;
      tally.bytes += Buffer.byteLength(text);
      value = _parseBlock(blocks.kind(i), text, ctx);
      if (value === undefined) return undefined;
    }
    values.push(value);
    if ('module' in value) {
      if (!modules) {
        // A second `modules:` header, or a `modules` section besides the list: a repeated key.
        if (modulesDone || keys.has('modules')) return undefined;
        modules = [];
        items = modules;
        keys.add('modules');
        _define(config, 'modules', modules);
      }
      modules.push(value.module);
      checked.push(reused[i] !== undefined);
    } else {
      if (modules) modulesDone = true;
      modules = undefined;
      if (keys.has(value.key)) return undefined;
      keys.add(value.key);
      _define(config, value.key, value.value);
    }
  }
  // The caller may know the names of the items unique (from the last parse and what changed).
  const unique = items !== undefined && config.modules === items && namesUnique?.(values) === true;
  try {
    return { config: toAppConfigChecked(config, ctx, checked, unique), values };
  } catch {
    return undefined;
  }
}

/**
 * `text` parsed block by block from scratch, as a worker does for a large change: the config and
 * every block's value, or undefined when the text must be parsed whole.
 */
export function parseByBlocks(text: string, ctx: ParseContext): AssembledConfig | undefined {
  const layout = scanConfigBlocks(text);
  return layout && assembleFromBlocks(layoutBlocks(text, layout), [], ctx, { parsed: 0, bytes: 0 });
}

/** A block parsed on its own, or undefined when that is not its value in the whole text. */
function _parseBlock(kind: ConfigBlock['kind'], text: string, ctx: ParseContext): BlockValue | undefined {
  const source = kind === 'module' ? `modules:\n${text}` : text;
  let value: unknown;
  try {
    const { doc } = parseYamlDocument(source, ctx);
    if (_mayCouple(source) && _hasAnchorAliasOrTag(doc)) return undefined;
    value = doc.toJS();
  } catch {
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  if (kind === 'section') return { key, value: value[key] };
  const list = value[key];
  return key === 'modules' && Array.isArray(list) && list.length === 1 ? { module: list[0] } : undefined;
}

/** Whether the text has a character that starts an anchor, alias or tag (most blocks have none). */
function _mayCouple(text: string): boolean {
  return text.includes('&') || text.includes('*') || text.includes('!');
}

/**
 * An anchor or alias may tie a block to another one, and a tag's meaning may come from a
 * directive: such a text is parsed whole. The walk recurses, but `parseYamlDocument` has bounded
 * the nesting already.
 */
function _hasAnchorAliasOrTag(doc: Document.Parsed): boolean {
  return someNode(doc, (node) => isAlias(node) || Boolean(node.anchor) || Boolean(node.tag));
}

/** Sets `key` as plain data, as `yaml` does (an own `__proto__` key stays a key). */
function _define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
