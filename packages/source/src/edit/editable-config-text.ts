import type { TextPosition } from '../parse.js';
import type { AppConfig } from '../types.js';

/** What to do when the document has no module with the name. */
export interface MissingModule {
  /** Append `{ name, type, config }` to `modules` (an overlay gaining its first entry for a module). */
  append?: { type: string };
}

/** What `openConfigText` is told about the text. */
export interface OpenConfigTextOptions {
  /** Used in error messages: `config.yaml:12:3: …`. @defaultValue `'config'` */
  filename?: string;
  /**
   * A larger text (in UTF-8 bytes) is not opened (`ConfigParseError`). Edits do not check it: check
   * `toString()` with `checkDocumentSize` before storing what they made.
   * @defaultValue `MAX_DOCUMENT_BYTES` (1 MiB)
   */
  maxDocumentBytes?: number;
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
 * changes, and comments, key order and layout elsewhere survive; JSON stays JSON (pretty-printed).
 * Opened once, it can take edit after edit without being parsed again, which is what lets a writer
 * keep the document it last wrote.
 */
export interface EditableConfigText {
  /**
   * Replaces module `name`'s `config` in place. Throws `ModuleNotInDocumentError` when the module is
   * missing and `missing.append` is not given, and `ConfigValidationError` (at the issue path of the
   * bad value) when `config` is not JSON data that fits the nesting limit in its place; the text is
   * then unchanged.
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
  /**
   * `toValue()` checked as a config: what `parseConfig(toString(), { filename, overlay })` returns,
   * or the `ConfigParseError` it throws (structural problems at their positions), from this parse.
   */
  toAppConfig(opts?: { overlay?: boolean }): AppConfig;
  /**
   * Where a value sits in the text as it is now (1-based): given an issue path
   * (`modules.limiter.config.rps`, see `moduleIssuePath`) or the keys and indexes from the top
   * (`['modules', 1, 'config', 'rps']`, as `toAppConfig`'s `locate` is asked). A value the text
   * lacks gets the position of its nearest ancestor that it has; a module it lacks, undefined.
   * YAML positions come from the parse that opened the text; after an edit or a `clone()` the
   * first call parses the text as it is then (and keeps that until the next edit). For JSON the
   * first call parses the text with `yaml` (JSON's own parser gives no positions).
   */
  locate(path: string | readonly (string | number)[]): TextPosition | undefined;
}
