import { type PgConfigStore, VersionConflictError } from '@cfg/pg-store';
import {
  ConfigValidationError,
  hashBytes,
  parseConfig,
  readConfigText,
  resolveReferences,
} from '@cfg/source';
import type { SourceContext } from './open-sources.js';

/** The first stored version of a new overlay: empty, saying what it is for. */
export const OVERLAY_SEED = `# cfg overlay: API writes (PUT /api/v1/modules/:name/config) land here, on top of the config file.
# Each entry sets the keys the API wrote; they win over the file until cleared. To clear every one,
# roll back to version 1 (POST /api/v1/config/rollback {"version":1}), or push this file again.
modules: []
`;

/**
 * Writes the seed as version 1 of `key` unless the key exists (racing replicas: one wins, the rest
 * see it). A seed file is read, parsed and validated first: a refused seed stores nothing.
 */
export async function seedDocument(
  store: PgConfigStore,
  key: string,
  seed: { file: string } | { text: string },
  ctx: Pick<SourceContext, 'maxDocumentBytes' | 'references' | 'check' | 'logger'>,
): Promise<void> {
  if (await store.getDocument(key)) return;
  let text: string;
  let message: string;
  if ('file' in seed) {
    const { maxDocumentBytes } = ctx;
    text = await readConfigText(seed.file, { maxDocumentBytes });
    message = `seeded from ${seed.file}`;
    const parsed = parseConfig(text, { filename: seed.file, maxDocumentBytes });
    // Its references must resolve here and now (a ConfigReferenceError names file:line:col), and
    // the check sees their values, as it will once the seed is loaded from the store.
    const filename = seed.file;
    const { config } = ctx.references
      ? await resolveReferences(parsed, { ...ctx.references, textHash: hashBytes(text), filename, text })
      : { config: parsed };
    const issues = await ctx.check?.(config);
    if (issues && issues.length > 0) {
      throw new ConfigValidationError([...issues], {
        subject: `${seed.file} (the seed of "${key}"; nothing was stored)`,
      });
    }
  } else {
    text = seed.text;
    message = 'empty overlay';
  }
  try {
    await store.putDocument(key, text, { expectedVersion: 0, actor: 'cfg serve', message });
    ctx.logger.info({ key }, `stored document "${key}" created (${message})`);
  } catch (error) {
    if (!(error instanceof VersionConflictError)) throw error;
  }
}
