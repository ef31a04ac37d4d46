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
 * A config text opened for edits that keep it human: in YAML, only the edited module's `config`
 * changes, and comments, key order and layout elsewhere survive (`YamlText`); JSON stays JSON
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
  /** An independent copy: edits to either never reach the other (an edit can be tried on a copy). */
  clone(): EditableConfigText;
  /**
   * A fresh copy of the value the text holds: what parsing `toString()` gives, without parsing it.
   * Never shared with the document, so later edits cannot reach a value handed out before them.
   */
  toValue(): unknown;
}
