import {
  type AppConfig,
  type ConfigSnapshot,
  type ConfigSource,
  type EditableConfigText,
  errorMessage,
  hashBytes,
  hashConfig,
  ModuleNotInDocumentError,
  overridePatch,
  type ParseContext,
  parseConfigAsync,
  toAppConfig,
} from '@cfg/source';
import { codes } from '../lib/errors.js';
import { mergeOverlay } from '../sources/overlay-source.js';

/** How long an overlay write waits before reading a base file that did not load a second time. */
const BASE_RETRY_MS = 25;

/** How a stored document relates to the config the server runs. */
export interface DocumentLayout {
  /** The config a stored text yields. */
  compose(text: string): Promise<AppConfig>;
  /**
   * Edits the opened stored document so that module `name`'s resulting config is exactly `config`,
   * and returns the config the edited document yields (read off the document, not parsed again).
   */
  edit(doc: EditableConfigText, name: string, config: Record<string, unknown>): Promise<AppConfig>;
  /**
   * The hash the server's source gives the config composed from `text`, so a write can be applied
   * from the text it wrote, without reading and parsing it back.
   */
  hashOf(text: string, composed: AppConfig): string;
}

/** The stored document is the whole config. */
export class WholeDocument implements DocumentLayout {
  readonly #ctx: ParseContext;

  /** `maxDocumentBytes`: stored versions over it do not compose (a rollback to one is a 422). */
  constructor(filename: string, opts: { maxDocumentBytes?: number } = {}) {
    this.#ctx = { filename, ...opts };
  }

  /** Off the event loop for a large text (a rollback to a big version), as the sources parse. */
  compose(text: string): Promise<AppConfig> {
    return parseConfigAsync(text, this.#ctx);
  }

  /** `DatabaseSource` hashes the document's bytes. */
  hashOf(text: string): string {
    return hashBytes(text);
  }

  async edit(doc: EditableConfigText, name: string, config: Record<string, unknown>): Promise<AppConfig> {
    _setModuleConfig(doc, name, config);
    return toAppConfig(doc.toValue(), this.#ctx);
  }
}

/**
 * The stored document is an overlay on a base (the watched file), merged as the server's overlay
 * source merges (`mergeOverlay`). An edit stores the JSON Merge Patch that turns the base module's
 * config into `config`, naming every key `config` sets, so a later edit of the base file cannot undo
 * those keys; `null`s in `config` are stored as literals, so they survive. The entry names the type
 * it was written for: should the file change that module's type, the entry is set aside (reported),
 * not merged into a module it was not written for.
 */
export class OverlayDocument implements DocumentLayout {
  readonly #base: ConfigSource;
  readonly #ctx: ParseContext;

  /** `maxDocumentBytes`: overlay versions over it do not compose (a rollback to one is a 422). */
  constructor(base: ConfigSource, filename: string, opts: { maxDocumentBytes?: number } = {}) {
    this.#base = base;
    // An overlay's modules may leave out `type`: they edit the file's module of that name.
    this.#ctx = { filename, overlay: true, ...opts };
  }

  async compose(text: string): Promise<AppConfig> {
    const base = await this.#loadBase();
    return mergeOverlay(base.config, await parseConfigAsync(text, this.#ctx));
  }

  /** `CompositeSource` hashes the merged config. */
  hashOf(_text: string, composed: AppConfig): string {
    return hashConfig(composed);
  }

  async edit(doc: EditableConfigText, name: string, config: Record<string, unknown>): Promise<AppConfig> {
    const base = (await this.#loadBase()).config;
    const module = base.modules.find((m) => m.name === name);
    // The overlay only edits the file's modules: one the file no longer has cannot be written.
    if (!module) throw codes.CFG_ERR_MODULE_NOT_FOUND(name);
    const overlay = () => toAppConfig(doc.toValue(), this.#ctx);
    const entry = overlay().modules.find((m) => m.name === name);
    if (entry?.type !== undefined && entry.type !== module.type)
      throw codes.CFG_ERR_OVERLAY_CONFLICT(name, entry.type, module.type);
    doc.setModuleConfig(name, overridePatch(module.config ?? {}, config), { append: { type: module.type } });
    return mergeOverlay(base, overlay());
  }

  /**
   * The base file as it is now. A save in progress (truncate, then write) can read empty or cut
   * short, so a failed load is read once more after BASE_RETRY_MS; a base that still does not load
   * makes the write impossible to check — the source is unavailable (503, nothing stored), which
   * says more than a 422 blaming the request would (found by the fault suite's race test).
   */
  async #loadBase(): Promise<ConfigSnapshot> {
    try {
      return await this.#base.load();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, BASE_RETRY_MS));
      try {
        return await this.#base.load();
      } catch (error) {
        throw codes.CFG_ERR_SOURCE_UNAVAILABLE(`${this.#base.name}: ${errorMessage(error)}`);
      }
    }
  }
}

/** `doc.setModuleConfig`, with a module missing from the document answered as a 404. */
function _setModuleConfig(doc: EditableConfigText, name: string, config: Record<string, unknown>): void {
  try {
    doc.setModuleConfig(name, config);
  } catch (error) {
    if (error instanceof ModuleNotInDocumentError) throw codes.CFG_ERR_MODULE_NOT_FOUND(name);
    throw error;
  }
}
