import { parseYamlDocument } from '@cfg/source';
import { type Document, isAlias, isMap, isNode, isScalar, isSeq, stringify, visit, type YAMLSeq } from 'yaml';
import {
  type EditableConfigText,
  type MissingModule,
  ModuleNotInDocumentError,
} from './editable-config-text.js';

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
  #text: string;
  #value: ConfigValue;
  /** By module name; undefined when the text cannot be spliced safely (see `findSlots`). */
  #slots: Map<string, Slot> | undefined;

  private constructor(text: string, value: ConfigValue, slots: Map<string, Slot> | undefined) {
    this.#text = text;
    this.#value = value;
    this.#slots = slots;
  }

  /** Parses `text`; throws the `ConfigParseError` of its first problem (`parseYamlDocument`'s checks). */
  static open(text: string): YamlText {
    const doc = parseYaml(text);
    return new YamlText(text, doc.toJS() as ConfigValue, findSlots(doc, text));
  }

  /** Shares what edits never change in place (the text, each untouched module's value); copies the rest. */
  clone(): YamlText {
    const slots = this.#slots && new Map([...this.#slots].map(([name, slot]) => [name, { ...slot }]));
    return new YamlText(this.#text, { ...this.#value, modules: [...this.#value.modules] }, slots);
  }

  setModuleConfig(name: string, config: Record<string, unknown>, missing: MissingModule = {}): void {
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

  /** The general edit: yaml's Document API (comments and layout elsewhere kept), then a fresh index. */
  #editDocument(name: string, config: Record<string, unknown>, missing: MissingModule): void {
    const doc = parseYaml(this.#text);
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
    const reparsed = parseYaml(text);
    this.#text = text;
    this.#value = reparsed.toJS() as ConfigValue;
    this.#slots = findSlots(reparsed, text);
  }
}

/**
 * The package's parse, with its limits and its linear duplicate-key check (`yaml`'s own
 * `uniqueKeys` compares keys pairwise: a document of 70,000 flags took a replica over a minute).
 * No size limit here: the writer checks the document it opens and the one it would store.
 */
function parseYaml(text: string): Document {
  return parseYamlDocument(text, { filename: 'document', maxDocumentBytes: Number.POSITIVE_INFINITY }).doc;
}

/**
 * The `config:` pair of each module that can be rewritten in place: `modules` and the module are
 * block style, `config` is a mapping, names are unique, and the text has no anchors or aliases
 * (replacing an anchored node would break its aliases) and no CR (the pair is written with LF).
 */
function findSlots(doc: Document, text: string): Map<string, Slot> | undefined {
  if (text.includes('\r') || _hasAnchors(doc)) return undefined;
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

/** True when nothing but spaces follows `offset` on its line (or `offset` is at a line start). */
function _endsLine(text: string, offset: number): boolean {
  if (offset === 0 || text[offset - 1] === '\n') return true;
  const lineEnd = text.indexOf('\n', offset);
  return text.slice(offset, lineEnd < 0 ? text.length : lineEnd).trim() === '';
}

function _hasAnchors(doc: Document): boolean {
  let found = false;
  visit(doc, (_, node) => {
    if (isAlias(node) || (isNode(node) && node.anchor)) {
      found = true;
      return visit.BREAK;
    }
    return undefined;
  });
  return found;
}

/** Every non-empty line after the first indented by `column` spaces (the first continues where the old pair began). */
function indentFrom(text: string, column: number): string {
  const pad = ' '.repeat(column);
  return text.replace(/\n(?=[^\n])/g, `\n${pad}`);
}
