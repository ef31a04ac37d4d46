import { type ConfigSnapshot, canonicalJson, hashBytes, MAX_DOCUMENT_BYTES } from '@cfg/source';
import { codes } from '../lib/errors.js';
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

  /**
   * @param opts.maxDocumentBytes A write whose config, as canonical JSON, would be larger is refused
   *   (413). @defaultValue `MAX_DOCUMENT_BYTES` (1 MiB)
   */
  constructor(opts: { maxDocumentBytes?: number } = {}) {
    this.#maxDocumentBytes = opts.maxDocumentBytes ?? MAX_DOCUMENT_BYTES;
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
    const next = withModuleConfig(current.config, name, config, ctx.validate);
    // `hashConfig`, in two steps: the canonical JSON is also the size of what would be served.
    const json = canonicalJson(next);
    const bytes = Buffer.byteLength(json);
    if (bytes > this.#maxDocumentBytes) {
      throw codes.CFG_ERR_DOCUMENT_TOO_LARGE(
        bytes.toLocaleString('en'),
        this.#maxDocumentBytes.toLocaleString('en'),
      );
    }
    const snapshot = { config: next, hash: hashBytes(json), source: API_SOURCE, loadedAt: new Date() };
    return { snapshot, persisted: false };
  }
}
