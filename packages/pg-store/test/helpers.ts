import { PgConfigStore, type PgConfigStoreOptions, type PgDocumentChangeNotice } from '../src/index.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

export interface TestStore {
  db: TestSchema;
  store: PgConfigStore;
}

/** A migrated store in a fresh random schema (so its channel is unique too); `db.drop()` it afterwards. */
export async function createTestStore(
  opts: { poolSize?: number } & PgConfigStoreOptions = {},
): Promise<TestStore> {
  const { poolSize, ...storeOpts } = opts;
  const db = await createTestSchema({ poolSize });
  const store = new PgConfigStore(db.pool, { schema: db.schema, reconnectDelayMs: 20, ...storeOpts });
  await store.migrate();
  return { db, store };
}

/** Subscribes and records notices; `next(predicate)` resolves with the first matching one, past or future. */
export async function recordNotices(
  store: PgConfigStore,
  subOpts: Parameters<PgConfigStore['subscribe']>[1] = {},
) {
  const notices: PgDocumentChangeNotice[] = [];
  const waiters: {
    match: (n: PgDocumentChangeNotice) => boolean;
    resolve: (n: PgDocumentChangeNotice) => void;
  }[] = [];
  const stop = await store.subscribe((notice) => {
    notices.push(notice);
    for (const waiter of [...waiters]) {
      if (waiter.match(notice)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(notice);
      }
    }
  }, subOpts);
  const next = (match: (n: PgDocumentChangeNotice) => boolean = () => true) =>
    new Promise<PgDocumentChangeNotice>((resolve) => {
      const seen = notices.find(match);
      if (seen) resolve(seen);
      else waiters.push({ match, resolve });
    });
  return { notices, next, stop };
}

/** A promise with its resolve function, for "wait until this callback fires". */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
