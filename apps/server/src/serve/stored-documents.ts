import type { PgConfigStore } from '@cfg/pg-store';
import type { ConfigDocumentStore } from '@cfg/source';
import type { LastGood } from './last-good.js';
import type { SourceContext } from './open-sources.js';

/**
 * What the database sources read: the store, with every text of `key` it hands out remembered for
 * the local snapshot. Without `notify` it has no `subscribe`: the source then offers no push hint,
 * no LISTEN connection is opened, and the poller alone finds changes.
 */
export function storedDocuments(
  store: PgConfigStore,
  key: string,
  ctx: Pick<SourceContext, 'notify'>,
  lastGood: LastGood | undefined,
): ConfigDocumentStore {
  const seen = <D extends { key: string; version: number; data: string | null } | null>(doc: D): D => {
    if (doc && doc.key === key && doc.data !== null) lastGood?.remember(doc.version, doc.data);
    return doc;
  };
  return {
    getDocument: async (k) => seen(await store.getDocument(k)),
    getDocumentHash: (k) => store.getDocumentHash(k),
    history: (k, opts) => store.history(k, opts),
    getVersion: async (k, version) => seen(await store.getVersion(k, version)),
    ...((ctx.notify ?? true) ? { subscribe: (listener, opts) => store.subscribe(listener, opts) } : {}),
  };
}
