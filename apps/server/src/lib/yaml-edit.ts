import { type Document, isMap, isSeq, parseDocument, type YAMLSeq } from 'yaml';

/** What to do when the document has no module with the name. */
export interface MissingModule {
  /** Append `{ name, type, config }` to `modules` (an overlay gaining its first entry for a module). */
  append?: { type: string };
}

/** The document has no module with that name, and nothing said to append one. */
export class ModuleNotInDocumentError extends Error {
  override readonly name = 'ModuleNotInDocumentError';
  constructor(readonly moduleName: string) {
    super(`the stored document has no module named "${moduleName}"`);
  }
}

/**
 * A config text opened for edits that keep it human: YAML goes through `yaml`'s Document API, so
 * comments, key order and layout outside the edited `config` node survive; JSON stays JSON
 * (pretty-printed). Opened once, it can take edit after edit without being parsed again, which is
 * what lets a writer keep the document it last wrote.
 */
export interface EditableConfigText {
  /**
   * Replaces module `name`'s `config` in place. Throws `ModuleNotInDocumentError` when the module is
   * missing and `missing.append` is not given (the text is then unchanged).
   */
  setModuleConfig(name: string, config: Record<string, unknown>, missing?: MissingModule): void;
  /** The text as edited so far. */
  toString(): string;
  /**
   * A fresh copy of the value the text holds: what parsing `toString()` gives, without parsing it.
   * Never shared with the document, so later edits cannot reach a value handed out before them.
   */
  toValue(): unknown;
}

/**
 * Opens `text` for editing: JSON when it starts with `{` and parses as JSON (as `parseConfig` decides),
 * else YAML. Throws yaml's first error.
 */
export function openConfigText(text: string): EditableConfigText {
  if (text.trimStart().startsWith('{')) {
    try {
      return new JsonText(text);
    } catch {
      // `{modules: []}` is YAML flow style, not JSON
    }
  }
  const doc = parseDocument(text, { uniqueKeys: true, logLevel: 'error' });
  if (doc.errors.length > 0) throw doc.errors[0];
  return new YamlText(doc);
}

/** `text` with module `name`'s `config` replaced; see `EditableConfigText`. */
export function setModuleConfig(
  text: string,
  name: string,
  config: Record<string, unknown>,
  missing: MissingModule = {},
): string {
  const editable = openConfigText(text);
  editable.setModuleConfig(name, config, missing);
  return editable.toString();
}

class YamlText implements EditableConfigText {
  readonly #doc: Document;

  constructor(doc: Document) {
    this.#doc = doc;
  }

  setModuleConfig(name: string, config: Record<string, unknown>, missing: MissingModule = {}): void {
    const doc = this.#doc;
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
  }

  toString(): string {
    return this.#doc.toString();
  }

  toValue(): unknown {
    return this.#doc.toJS();
  }
}

class JsonText implements EditableConfigText {
  #text: string;

  constructor(text: string) {
    JSON.parse(text); // throws for text that only YAML reads
    this.#text = text;
  }

  setModuleConfig(name: string, config: Record<string, unknown>, missing: MissingModule = {}): void {
    const value = JSON.parse(this.#text) as { modules?: { name?: unknown; config?: unknown }[] };
    const modules = Array.isArray(value.modules) ? value.modules : [];
    const module = modules.find((m) => m?.name === name);
    if (module) module.config = config;
    else if (missing.append)
      modules.push({ name, type: missing.append.type, config } as (typeof modules)[number]);
    else throw new ModuleNotInDocumentError(name);
    value.modules = modules;
    this.#text = `${JSON.stringify(value, null, 2)}\n`;
  }

  toString(): string {
    return this.#text;
  }

  toValue(): unknown {
    return JSON.parse(this.#text);
  }
}
