import { isMap, isSeq, parseDocument, type YAMLSeq } from 'yaml';

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
 * Returns the config text with module `name`'s `config` replaced, keeping the text human: YAML goes
 * through `yaml`'s Document API, so comments, key order and layout outside that one `config` node
 * survive. JSON text stays JSON (pretty-printed). Throws `ModuleNotInDocumentError` when the module
 * is missing and `missing.append` is not given.
 */
export function setModuleConfig(
  text: string,
  name: string,
  config: Record<string, unknown>,
  missing: MissingModule = {},
): string {
  if (text.trimStart().startsWith('{')) return _setInJson(text, name, config, missing);
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw doc.errors[0];
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
  return doc.toString();
}

function _setInJson(
  text: string,
  name: string,
  config: Record<string, unknown>,
  missing: MissingModule,
): string {
  const value = JSON.parse(text) as { modules?: { name?: unknown; config?: unknown }[] };
  const modules = Array.isArray(value.modules) ? value.modules : [];
  const module = modules.find((m) => m?.name === name);
  if (module) module.config = config;
  else if (missing.append)
    modules.push({ name, type: missing.append.type, config } as (typeof modules)[number]);
  else throw new ModuleNotInDocumentError(name);
  value.modules = modules;
  return `${JSON.stringify(value, null, 2)}\n`;
}
