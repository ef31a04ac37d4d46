import { type Document, isAlias, isMap, isScalar, isSeq, stringify, type YAMLSeq } from 'yaml';
import { emptyTextError, type TextPosition, toAppConfig, yamlValue } from '../parse.js';
import { isPlainObject } from '../plain-object.js';
import type { AppConfig } from '../types.js';
import { type ParsedYaml, parseYamlDocument, someNode } from '../yaml-document.js';
import {
  type EditableConfigText,
  type MissingModule,
  ModuleNotInDocumentError,
} from './editable-config-text.js';
import { assertWritableModuleConfig } from './module-config-guard.js';
import { positionIn } from './positions.js';

/** Where a module's `config:` pair sits in the text: `[start, end)`, and the column its key starts at. */
interface Slot {
  start: number;
  end: number;
  column: number;
}

/** A block scalar header with the keep indicator (`|+`, `>2+`, `|+2`); may also match inside a string (then the safe path runs). */
const KEEP_CHOMPING = /[|>](?:\d?\+|\+\d)/;

type ConfigValue = { modules: Record<string, unknown>[] } & Record<string, unknown>;

/**
 * A YAML config text opened for edits. The usual edit — one module's `config`, a block mapping —
 * rewrites only that `config:` pair's lines: the new pair is stringified on its own, indented to
 * the key's column and spliced in, and every byte outside it stays as it was. Re-stringifying the
 * whole document costs ~0.2–0.4 ms per write on the example config; this costs a few µs.
 *
 * What the text holds is tracked as a value alongside (the module's config replaced), which is
 * what parsing the new text gives, since `parse(stringify(x))` equals `x`. Anything else — a
 * module without a `config` key, a new module, flow-style `modules`, anchors and aliases, CRLF
 * line ends, a value that keeps trailing line breaks — goes through `yaml`'s Document API on a
 * fresh parse of the text.
 */
export class YamlText implements EditableConfigText {
  readonly #filename: string;
  #text: string;
  #value: ConfigValue;
  /** By module name; undefined when the text cannot be spliced safely (see `findSlots`). */
  #slots: Map<string, Slot> | undefined;
  /** The parse of `#text`, for positions; dropped by an edit or a clone (see `locate`). */
  #parsed: ParsedYaml | undefined;
  /** The text has no content (empty, or comments only): a config it is not. */
  #empty: boolean;

  private constructor(
    filename: string,
    text: string,
    value: ConfigValue,
    slots: Map<string, Slot> | undefined,
    parsed: ParsedYaml | undefined,
  ) {
    this.#filename = filename;
    this.#text = text;
    this.#value = value;
    this.#slots = slots;
    this.#parsed = parsed;
    this.#empty = parsed?.doc.contents === null;
  }

  /** Parses `text` with `parseYamlDocument` (its limits and checks); throws the `ConfigParseError` of its first problem. */
  static open(text: string, ctx: { filename: string; maxDocumentBytes?: number }): YamlText {
    const parsed = parseYamlDocument(text, ctx);
    const value = yamlValue(parsed.doc, ctx) as ConfigValue;
    return new YamlText(ctx.filename, text, value, findSlots(parsed.doc, text), parsed);
  }

  /**
   * Shares what edits never change in place (the text, each untouched module's value); copies the
   * rest. Neither keeps the parse: a writer clones the document it holds for every edit, and a
   * parsed document takes several times the text's size in memory.
   */
  clone(): YamlText {
    const slots = this.#slots && new Map([...this.#slots].map(([name, slot]) => [name, { ...slot }]));
    const value = _isConfigValue(this.#value)
      ? { ...this.#value, modules: [...this.#value.modules] }
      : structuredClone(this.#value);
    this.#parsed = undefined;
    const copy = new YamlText(this.#filename, this.#text, value, slots, undefined);
    copy.#empty = this.#empty;
    return copy;
  }

  setModuleConfig(name: string, config: Record<string, unknown>, missing: MissingModule = {}): void {
    assertWritableModuleConfig(this.#filename, name, config);
    const slot = this.#slots?.get(name);
    const written = stringify({ config });
    // A block scalar that keeps its trailing line breaks (`|+`) would also take in blank lines
    // that follow the pair in the text: only the whole-document path knows that context.
    if (!slot || KEEP_CHOMPING.test(written)) {
      this.#editDocument(name, config, missing);
      return;
    }
    const pair = indentFrom(written.slice(0, -1), slot.column); // stringify ends with one \n
    const replaced = this.#text.slice(slot.start, slot.end);
    const spliced = replaced.endsWith('\n') ? `${pair}\n` : pair;
    this.#text = this.#text.slice(0, slot.start) + spliced + this.#text.slice(slot.end);
    this.#parsed = undefined;
    const shift = spliced.length - replaced.length;
    for (const other of this.#slots!.values()) {
      if (other.start > slot.start) {
        other.start += shift;
        other.end += shift;
      }
    }
    slot.end = slot.start + spliced.length;
    // A new module object, not a changed one: clones share the others.
    const modules = this.#value.modules;
    const at = modules.findIndex((m) => m.name === name);
    modules[at] = { ...modules[at], config: structuredClone(config) };
  }

  toString(): string {
    return this.#text;
  }

  toValue(): unknown {
    return structuredClone(this.#value);
  }

  toAppConfig(opts: { overlay?: boolean } = {}): AppConfig {
    if (this.#empty) throw emptyTextError(this.#filename);
    return toAppConfig(this.toValue(), {
      ...opts,
      filename: this.#filename,
      locate: (path) => this.locate(path),
    });
  }

  locate(path: string | readonly (string | number)[]): TextPosition | undefined {
    this.#parsed ??= this.#parse(this.#text);
    return positionIn(this.#parsed, this.#value, path);
  }

  /** The general edit: yaml's Document API (comments and layout elsewhere kept), then a fresh index. */
  #editDocument(name: string, config: Record<string, unknown>, missing: MissingModule): void {
    const { doc } = this.#parse(this.#text);
    let modules = doc.get('modules', true);
    if (!isSeq(modules)) {
      if (!missing.append) throw new ModuleNotInDocumentError(name);
      doc.set('modules', doc.createNode([]));
      modules = doc.get('modules', true) as YAMLSeq;
    }
    const seq = modules as YAMLSeq;
    const index = seq.items.findIndex((item) => isMap(item) && item.get('name') === name);
    if (index >= 0) {
      doc.setIn(['modules', index, 'config'], doc.createNode(config));
    } else if (missing.append) {
      seq.flow = false; // `modules: []` would otherwise print the new entry on one flow line
      seq.add(doc.createNode({ name, type: missing.append.type, config }));
    } else {
      throw new ModuleNotInDocumentError(name);
    }
    const text = doc.toString();
    const reparsed = this.#parse(text);
    this.#text = text;
    this.#value = yamlValue(reparsed.doc, { filename: this.#filename }) as ConfigValue;
    this.#slots = findSlots(reparsed.doc, text);
    this.#parsed = undefined; // not kept: see `clone`
    this.#empty = false;
  }

  /**
   * The package's parse, with its limits and its linear duplicate-key check (`yaml`'s own
   * `uniqueKeys` compares keys pairwise: a document of 70,000 flags took a replica over a minute).
   * No size limit: the text was opened within it, and an edit's result is the caller's to check.
   */
  #parse(text: string): ParsedYaml {
    return parseYamlDocument(text, { filename: this.#filename, maxDocumentBytes: Number.POSITIVE_INFINITY });
  }
}

/**
 * The `config:` pair of each module that can be rewritten in place: `modules` and the module are
 * block style, `config` is a mapping, names are unique, and the text has no anchors or aliases
 * (replacing an anchored node would break its aliases) and no CR (the pair is written with LF).
 */
function findSlots(doc: Document, text: string): Map<string, Slot> | undefined {
  if (text.includes('\r') || someNode(doc, (node) => isAlias(node) || Boolean(node.anchor))) return undefined;
  const modules = doc.get('modules', true);
  if (!isSeq(modules) || modules.flow) return undefined;
  const slots = new Map<string, Slot>();
  for (const item of modules.items) {
    if (!isMap(item) || item.flow) continue;
    const name = item.get('name');
    if (typeof name !== 'string') continue;
    if (slots.has(name)) return undefined;
    const pair = item.items.find((p) => isScalar(p.key) && p.key.value === 'config');
    const key = pair?.key;
    const value = pair?.value;
    if (!isScalar(key) || !isMap(value) || !key.range || !value.range) continue;
    // A comment after a flow mapping (`config: {a: 1} # note`) would end up on the last line of
    // the block pair written in its place, inside a multi-line string: only splice whole lines.
    if (!_endsLine(text, value.range[1])) continue;
    const start = key.range[0];
    const column = start - (text.lastIndexOf('\n', start - 1) + 1);
    slots.set(name, { start, end: value.range[1], column });
  }
  return slots;
}

/** A mapping with a `modules` list: what the shallow copy in `clone` is for (anything else is copied whole). */
function _isConfigValue(value: unknown): value is ConfigValue {
  return isPlainObject(value) && Array.isArray(value.modules);
}

/** True when nothing but spaces follows `offset` on its line (or `offset` is at a line start). */
function _endsLine(text: string, offset: number): boolean {
  if (offset === 0 || text[offset - 1] === '\n') return true;
  const lineEnd = text.indexOf('\n', offset);
  return text.slice(offset, lineEnd < 0 ? text.length : lineEnd).trim() === '';
}

/** Every non-empty line after the first indented by `column` spaces (the first continues where the old pair began). */
function indentFrom(text: string, column: number): string {
  const pad = ' '.repeat(column);
  return text.replace(/\n(?=[^\n])/g, `\n${pad}`);
}
