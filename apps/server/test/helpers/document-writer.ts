import type { PgConfigStore } from '@cfg/pg-store';
import { DatabaseSource, type ReferenceOptions } from '@cfg/source';
import { WholeDocument } from '../../src/writers/document-layout.js';
import { StoredWriter } from '../../src/writers/stored-writer.js';

/** Database mode as `cfg serve` composes it: a `DatabaseSource` of `key` and the writer of that document. */
export function documentWriter(
  store: PgConfigStore,
  key: string,
  opts: { maxDocumentBytes?: number; references?: ReferenceOptions } = {},
): { source: DatabaseSource; writer: StoredWriter } {
  const { references, ...writerOpts } = opts;
  const source = new DatabaseSource(store, { key, ...(references ? { references } : {}) });
  const writer = new StoredWriter({
    mode: 'database',
    store,
    key,
    layout: new WholeDocument(source.name, references ? { references } : {}),
    source,
    ...writerOpts,
  });
  return { source, writer };
}
