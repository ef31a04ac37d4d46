import {
  Composer,
  type CST,
  type Document,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  Parser,
  type Scalar,
  visit,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { ConfigParseError } from './errors.js';
import { checkDocumentSize, MAX_ALIAS_EXPANSION, MAX_DOCUMENT_BYTES, MAX_NESTING } from './limits.js';
import type { ParseContext, TextPosition } from './parse.js';

/** A YAML text parsed and checked by `parseYamlDocument`. */
export interface ParsedYaml {
  /** `contents` is null for an empty text; everything else passed the checks. */
  doc: Document.Parsed;
  /** The 1-based line and column of a 0-based offset in the text. */
  position(offset: number): TextPosition;
}

/**
 * Parses one YAML document and checks it, each step linear in the text, before anything recurses
 * into it or turns it into values:
 * - its size (`maxDocumentBytes`), then its nesting (`MAX_NESTING`, block style included), counted
 *   on `yaml`'s concrete syntax tree, which is built without recursion;
 * - duplicate keys, with one `Set` per mapping (`yaml`'s own `uniqueKeys` compares every key with
 *   every other: 10k / 40k keys took 1.2 / 10.9 s). Keys are compared as the resulting object
 *   sees them, so `1` and `"1"` are duplicates;
 * - JSON-compatible values, so that equal text means equal served JSON on every replica: only the
 *   YAML core schema's tags (no `!!binary`, `!!set`, `!!omap`, `!!timestamp`, custom tags), finite
 *   numbers, integers within ±2^53 unless quoted, and keys that are plain scalars;
 * - what aliases expand to: the resolved value may nest no deeper than `MAX_NESTING`, contain no
 *   cycle, and, measured as JSON, be at most `MAX_ALIAS_EXPANSION` × the text and at most the
 *   document limit. Each anchored node's size is measured once, so this costs one pass over the
 *   nodes however far the aliases would expand.
 * Throws `ConfigParseError` (`file:line:column: …`) at the first problem, in text order.
 */
export function parseYamlDocument(text: string, ctx: ParseContext): ParsedYaml {
  checkDocumentSize(Buffer.byteLength(text), ctx);
  const lineCounter = new LineCounter();
  const position = (offset: number): TextPosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const fail = (reason: string, offset?: number): never => {
    throw new ConfigParseError(reason, {
      file: ctx.filename,
      ...(offset === undefined ? {} : position(offset)),
    });
  };

  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const deep = _deepCollection(tokens, MAX_NESTING);
  if (deep !== undefined) fail(`nesting deeper than ${MAX_NESTING} levels; flatten the config`, deep);

  // `logLevel: 'error'`: yaml would print warnings to stderr otherwise; libraries stay quiet.
  const composer = new Composer({ uniqueKeys: false, logLevel: 'error' });
  const docs: Document.Parsed[] = [];
  for (const doc of composer.compose(tokens, true, text.length)) {
    docs.push(doc);
    if (docs.length === 2) break;
  }
  const [doc, second] = docs as [Document.Parsed, Document.Parsed?];
  const error = doc.errors[0];
  if (error) fail(_lowerFirst(error.message), error.pos[0]);
  if (second) fail('more than one document (`---`) in the text; a config is one document', second.range[0]);

  const expansion = Math.min(MAX_ALIAS_EXPANSION * text.length, ctx.maxDocumentBytes ?? MAX_DOCUMENT_BYTES);
  _checkNodes(doc.contents, expansion, fail);
  return { doc, position };
}

/** The offset of the first collection nested deeper than `limit` in the syntax tree, if any. */
function _deepCollection(tokens: CST.Token[], limit: number): number | undefined {
  const stack: [CST.Token | null | undefined, number][] = tokens.map((t) => [t, 0]);
  while (stack.length > 0) {
    const [token, outer] = stack.pop()!;
    if (!token) continue;
    if (token.type === 'document') {
      stack.push([token.value, outer]);
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      const level = outer + 1;
      if (level > limit) return token.offset;
      for (const item of token.items as CST.CollectionItem[]) {
        stack.push([item.key, level], [item.value, level]);
      }
    }
  }
  return undefined;
}

/** The core schema's tags, plus `!` (non-specific: a plain string). Anything else is refused. */
const CORE_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`).concat('!'),
);
const FLOAT_TAG = 'tag:yaml.org,2002:float';
/** The core schema's integer forms: a float literal may lose digits, an integer may not. */
const INTEGER_LITERAL = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;

type Fail = (reason: string, offset?: number) => never;

/** A collection being walked: where its measure started and the deepest level reached inside. */
interface Open {
  node: YAMLMap | YAMLSeq;
  level: number;
  startSize: number;
  deepest: number;
  /** Keys seen so far (mappings only), as the resulting object will name them. */
  keys: Set<string> | undefined;
}

/** What an anchored node resolves to: its size as JSON, and how many levels it nests. */
interface Measure {
  size: number;
  levels: number;
}

type Step = { node: unknown; isKey: boolean } | { exit: Open };

/**
 * One pass over the nodes in text order, without recursion: the checks of `parseYamlDocument`.
 * Sizes are counted as JSON would print the resolved value (strings by length, without escapes).
 */
function _checkNodes(root: unknown, maxResolvedBytes: number, fail: Fail): void {
  const anchors = new Map<string, Node>();
  const measured = new Map<Node, Measure>();
  const open: Open[] = [];
  let size = 0;
  const stack: Step[] = [{ node: root, isKey: false }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    if ('exit' in step) {
      const done = open.pop()!;
      if (done.node.anchor)
        measured.set(done.node, { size: size - done.startSize, levels: done.deepest - done.level + 1 });
      const parent = open.at(-1);
      if (parent) parent.deepest = Math.max(parent.deepest, done.deepest);
      continue;
    }
    const { node, isKey } = step;
    const offset = (node as Node | null)?.range?.[0];
    if (isKey) _checkKey(node, open.at(-1)!, fail, offset);
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) fail(`alias *${node.source} has no anchor &${node.source} before it`, offset);
      const measure = measured.get(target!);
      if (!measure) fail(`alias *${node.source} is inside the node it refers to (a cycle)`, offset);
      const reached = open.length + measure!.levels;
      if (reached > MAX_NESTING)
        fail(`alias *${node.source} nests the config deeper than ${MAX_NESTING} levels`, offset);
      size += measure!.size;
      if (size > maxResolvedBytes) {
        fail(
          `aliases expand the document to more than ${maxResolvedBytes.toLocaleString('en')} characters of JSON (the limit is ${MAX_ALIAS_EXPANSION} × its text, and at most the document limit); copy less`,
          offset,
        );
      }
      const parent = open.at(-1);
      if (parent) parent.deepest = Math.max(parent.deepest, reached);
      continue;
    }
    if (node === null || node === undefined) {
      size += 4; // null
      continue;
    }
    const tagged = node as Node;
    if (tagged.tag && !CORE_TAGS.has(tagged.tag)) {
      fail(
        `tag ${_shortTag(tagged.tag)} is not allowed: values must be JSON data (tags: !!str, !!int, !!float, !!bool, !!null, !!map, !!seq)`,
        offset,
      );
    }
    if (tagged.anchor) anchors.set(tagged.anchor, tagged);
    if (isScalar(node)) {
      const scalarSize = _scalarSize(node, fail, offset);
      size += scalarSize;
      if (node.anchor) measured.set(node, { size: scalarSize, levels: 0 });
      continue;
    }
    if (isMap(node) || isSeq(node)) {
      const entry: Open = {
        node,
        level: open.length + 1,
        startSize: size,
        deepest: open.length + 1,
        keys: isMap(node) ? new Set() : undefined,
      };
      open.push(entry);
      stack.push({ exit: entry });
      size += 2 + node.items.length * (isMap(node) ? 2 : 1); // brackets, commas, colons
      for (let i = node.items.length - 1; i >= 0; i--) {
        const item = node.items[i];
        if (isMap(node)) {
          const pair = item as YAMLMap['items'][number];
          stack.push({ node: pair.value, isKey: false }, { node: pair.key, isKey: true });
        } else {
          stack.push({ node: item, isKey: false });
        }
      }
      continue;
    }
    fail('unexpected YAML node', offset);
  }
}

/** Keys must be plain scalars, unique as the resulting object names them (`null` → `""`, `1` → `"1"`). */
function _checkKey(key: unknown, map: Open, fail: Fail, offset: number | undefined): void {
  if (key !== null && key !== undefined && !isScalar(key)) {
    fail(
      `a key must be a string, number, boolean or null, not ${isAlias(key) ? 'an alias' : 'a mapping or list'}`,
      offset,
    );
  }
  const value = key === null || key === undefined ? null : (key as Scalar).value;
  const name = value === null ? '' : String(value);
  if (map.keys!.has(name)) fail(`duplicate key ${JSON.stringify(name)}`, offset);
  map.keys!.add(name);
}

/** The scalar's size as JSON; refuses numbers that JSON cannot carry or that lost digits. */
function _scalarSize(scalar: Scalar, fail: Fail, offset: number | undefined): number {
  const { value } = scalar;
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'number') {
    const source = String(scalar.source);
    if (!Number.isFinite(value))
      fail(`${source} is not a finite number: JSON has no infinities or NaN (quote it for a string)`, offset);
    if (!Number.isSafeInteger(value) && scalar.tag !== FLOAT_TAG && INTEGER_LITERAL.test(source))
      fail(
        `the integer ${source} is beyond ±2^53 and would lose digits; quote it to keep it as a string`,
        offset,
      );
    return String(value).length;
  }
  if (typeof value === 'boolean') return value ? 4 : 5;
  return 4; // null
}

/**
 * Whether any node of `doc` passes `test` (the walk stops at the first). It recurses: for documents
 * `parseYamlDocument` checked, whose nesting is bounded.
 */
export function someNode(doc: Document, test: (node: Node) => boolean): boolean {
  let found = false;
  visit(doc, (_, node) => {
    if (!isNode(node) || !test(node)) return undefined;
    found = true;
    return visit.BREAK;
  });
  return found;
}

/** `tag:yaml.org,2002:binary` → `!!binary`; other tags as written. */
function _shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

function _lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
