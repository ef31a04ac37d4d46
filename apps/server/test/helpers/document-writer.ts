import type { PgConfigStore } from '@cfg/pg-store';
import { DatabaseSource } from '@cfg/source';
import { WholeDocument } from '../../src/writers/layouts.js';
import { StoredWriter } from '../../src/writers/stored-writer.js';

/** Database mode as `cfg serve` composes it: a `DatabaseSource` of `key` and the writer of that document. */
export function documentWriter(
  store: PgConfigStore,
  key: string,
  opts: { maxDocumentBytes?: number } = {},
): { source: DatabaseSource; writer: StoredWriter } {
  const source = new DatabaseSource(store, { key });
  const writer = new StoredWriter({
    mode: 'database',
    store,
    key,
    layout: new WholeDocument(source.name),
    source,
    ...opts,
  });
  return { source, writer };
}
