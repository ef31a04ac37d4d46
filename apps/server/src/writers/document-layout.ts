// How a stored document becomes the running config: the whole config (database mode), or an overlay
// merged over the config file (overlay mode). Writers edit through a layout, sources load through it.
import {
  type AppConfig,
  type ConfigSnapshot,
  type ConfigSource,
  type EditableConfigText,
  errorMessage,
  hashBytes,
  hashLayers,
  type MergedFacts,
  ModuleNotInDocumentError,
  mergeSnapshotFacts,
  overridePatch,
  type ParseContext,
  parseConfigAsync,
  type ReferenceOptions,
  toAppConfig,
} from '@cfg/source';
import { codes } from '../http/errors.js';
import { resolveWrite } from '../secrets/resolve-write.js';
import { mergeOverlay } from '../sources/overlay-merge.js';

/** How long an overlay write waits before reading a base file that did not load a second time. */
const BASE_RETRY_MS = 25;

/** A config as the server runs it (references resolved), with what its snapshot says: as its source would load it. */
export interface ResolvedConfig extends MergedFacts {
  config: AppConfig;
}

/** Options every layout takes. */
export interface LayoutOptions {
  /** Stored versions over it do not compose (a rollback to one is a 422). */
  maxDocumentBytes?: number;
  /** The server's reference rules, as its sources have them; absent: `${` is plain text. */
  references?: ReferenceOptions;
}

/**
 * How a stored document relates to the config the server runs. `compose` and `edit` give a
 * layout's own intermediate form (`E`), which `resolve` turns into what the server runs.
 */
export interface DocumentLayout<E = unknown> {
  /** What a stored text yields, before its references are resolved. */
  compose(text: string): Promise<E>;
  /**
   * Edits the opened stored document so that module `name`'s resulting config is exactly `config`,
   * and returns what the edited document yields (read off the document, not parsed again).
   */
  edit(doc: EditableConfigText, name: string, config: Record<string, unknown>): Promise<E>;
  /**
   * The config, hash, `secretPaths` and `references` the server's source gives `text` (composed as
   * `composed`), references resolved under the server's rules — a reference that would not resolve
   * is a 422 (`resolveWrite`) — so a write can be applied from the text it wrote, without reading
   * and parsing it back.
   */
  resolve(text: string, composed: E): Promise<ResolvedConfig>;
}

/** The stored document is the whole config. */
export class WholeDocument implements DocumentLayout<AppConfig> {
  readonly #ctx: ParseContext;
  readonly #references: ReferenceOptions | undefined;

  constructor(filename: string, opts: LayoutOptions = {}) {
    const { references, ...parse } = opts;
    this.#ctx = { filename, ...parse };
    this.#references = references;
  }

  /** Off the event loop for a large text (a rollback to a big version), as the sources parse. */
  compose(text: string): Promise<AppConfig> {
    return parseConfigAsync(text, this.#ctx);
  }

  /** `DatabaseSource` hashes the document's bytes, then resolves their references. */
  async resolve(text: string, composed: AppConfig): Promise<ResolvedConfig> {
    const { filename } = this.#ctx;
    const resolved = await resolveWrite(composed, this.#references, {
      filename,
      textHash: hashBytes(text),
      text,
    });
    return _withFacts(resolved.config, resolved);
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
export class OverlayDocument implements DocumentLayout<OverlayLayers> {
  readonly #base: ConfigSource;
  readonly #ctx: ParseContext;
  readonly #references: ReferenceOptions | undefined;

  constructor(base: ConfigSource, filename: string, opts: LayoutOptions = {}) {
    this.#base = base;
    const { references, ...parse } = opts;
    // An overlay's modules may leave out `type`: they edit the file's module of that name.
    this.#ctx = { filename, overlay: true, ...parse };
    this.#references = references;
  }

  async compose(text: string): Promise<OverlayLayers> {
    const base = await this.#loadBase();
    return { base, overlay: await parseConfigAsync(text, this.#ctx) };
  }

  /**
   * As `CompositeSource` composes it: the overlay's references resolved (the base file's already
   * are, by its source), merged, where the merge's secrets sit (`mergeSnapshotFacts`), and the
   * composite's hash: `hashLayers` of the base's and the overlay document's hashes.
   */
  async resolve(text: string, { base, overlay }: OverlayLayers): Promise<ResolvedConfig> {
    const { filename } = this.#ctx;
    const resolved = await resolveWrite(overlay, this.#references, {
      filename,
      textHash: hashBytes(text),
      text,
    });
    const layer = { ..._withFacts(resolved.config, resolved), source: filename, loadedAt: new Date() };
    const merged = mergeOverlay(base.config, resolved.config);
    const facts = mergeSnapshotFacts([base, layer], merged);
    return { config: merged, ...facts, hash: hashLayers([base.hash, layer.hash]) };
  }

  async edit(doc: EditableConfigText, name: string, config: Record<string, unknown>): Promise<OverlayLayers> {
    const base = await this.#loadBase();
    const module = base.config.modules.find((m) => m.name === name);
    // The overlay only edits the file's modules: one the file no longer has cannot be written.
    if (!module) throw codes.CFG_ERR_MODULE_NOT_FOUND(name);
    const overlay = () => toAppConfig(doc.toValue(), this.#ctx);
    const entry = overlay().modules.find((m) => m.name === name);
    if (entry?.type !== undefined && entry.type !== module.type)
      throw codes.CFG_ERR_OVERLAY_CONFLICT(name, entry.type, module.type);
    doc.setModuleConfig(name, overridePatch(module.config ?? {}, config), { append: { type: module.type } });
    return { base, overlay: overlay() };
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

/** The base file as loaded (references resolved) and the overlay document's config, not yet resolved. */
export interface OverlayLayers {
  base: ConfigSnapshot;
  overlay: AppConfig;
}

/** A resolution's facts, leaving out the empty ones (as a source's snapshot does). */
function _withFacts(
  config: AppConfig,
  facts: { hash: string; secretPaths: string[]; references: MergedFacts['references'] & object },
): ResolvedConfig {
  return {
    config,
    hash: facts.hash,
    ...(facts.secretPaths.length > 0 ? { secretPaths: facts.secretPaths } : {}),
    ...(facts.references.length > 0 ? { references: facts.references } : {}),
  };
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
