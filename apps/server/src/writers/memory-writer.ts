import {
  type AppConfig,
  type ConfigSnapshot,
  canonicalJson,
  hashBytes,
  MAX_DOCUMENT_BYTES,
  mergeSnapshotFacts,
  type ReferenceOptions,
} from '@cfg/source';
import { codes } from '../http/errors.js';
import { resolveWrite } from '../secrets/resolve-write.js';
import { withModuleConfig } from './checked-config.js';
import type { ConfigWriter, WriteContext, WriteOutcome } from './types.js';

/** The `source` of snapshots made by API writes that were not persisted. */
export const API_SOURCE = 'api';

/**
 * File mode: an API write is applied in memory only (`persisted: false`) and lasts until the file
 * changes next; the file is never rewritten behind the editor's back. `If-Match` compares with the
 * current config hash, as there are no versions.
 */
export class MemoryWriter implements ConfigWriter {
  readonly mode = 'file';
  readonly #maxDocumentBytes: number;
  readonly #references: ReferenceOptions | undefined;

  /**
   * @param opts.maxDocumentBytes A write whose config, as canonical JSON, would be larger is refused
   *   (413). @defaultValue `MAX_DOCUMENT_BYTES` (1 MiB)
   * @param opts.references The file source's reference rules: the body's references are resolved
   *   by them (a reference that would not resolve is a 422). @defaultValue none: `${` is plain text
   */
  constructor(opts: { maxDocumentBytes?: number; references?: ReferenceOptions } = {}) {
    this.#maxDocumentBytes = opts.maxDocumentBytes ?? MAX_DOCUMENT_BYTES;
    this.#references = opts.references;
  }

  async writeModuleConfig(
    current: ConfigSnapshot,
    name: string,
    config: Record<string, unknown>,
    ctx: WriteContext,
  ): Promise<WriteOutcome> {
    if (ctx.ifMatch !== undefined && ctx.ifMatch !== current.hash) {
      throw codes.CFG_ERR_VERSION_CONFLICT.with(
        { currentHash: current.hash },
        `the config is at hash ${current.hash}, not ${ctx.ifMatch}; re-read it and try again`,
      );
    }
    const module = current.config.modules.find((m) => m.name === name);
    if (!module) throw codes.CFG_ERR_MODULE_NOT_FOUND(name);
    // The body alone is resolved: the rest of the current config holds values already.
    const body: AppConfig = { modules: [{ name, type: module.type, config }] };
    const layer = await resolveWrite(body, this.#references, {
      filename: `PUT /api/v1/modules/${name}/config`,
      textHash: hashBytes(canonicalJson(body)),
    });
    const next = withModuleConfig(current.config, name, layer.config.modules[0]!.config ?? {}, ctx.validate);
    // `hashConfig`, in two steps: the canonical JSON is also the size of what would be served.
    const json = canonicalJson(next);
    const bytes = Buffer.byteLength(json);
    if (bytes > this.#maxDocumentBytes) {
      throw codes.CFG_ERR_DOCUMENT_TOO_LARGE(
        bytes.toLocaleString('en'),
        this.#maxDocumentBytes.toLocaleString('en'),
      );
    }
    // `hashConfig(next)` (that is `hashBytes(json)`), keyed when either side holds resolved secrets.
    const layerSnapshot = { ...layer, source: API_SOURCE, loadedAt: new Date() };
    const facts = mergeSnapshotFacts([current, layerSnapshot], next);
    const snapshot = { config: next, ...facts, source: API_SOURCE, loadedAt: new Date() };
    return { snapshot, persisted: false };
  }
}
