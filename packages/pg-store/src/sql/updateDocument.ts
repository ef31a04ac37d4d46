import { type Queryable, query } from '../db.js';
import type { ResolvedOptions } from '../options.js';
import type { DocumentWrite, WrittenVersion } from './insertDocument.js';
import { notifyChange } from './notifyChange.js';

/**
 * Writes the next version of a live row, its history row and the notification in one statement,
 * if the row's bytes differ from `write.data` and its version is `expectedVersion` (when given).
 * Safe without a prior lock: under READ COMMITTED a concurrent writer of the row makes this one
 * wait, then PostgreSQL re-checks the WHERE clause against the row that writer committed.
 * Returns `undefined` when no row matched (missing, identical or another version).
 */
export async function updateDocument(
  opts: ResolvedOptions,
  db: Queryable,
  write: DocumentWrite,
  expectedVersion: number | null,
): Promise<WrittenVersion | undefined> {
  const schema = opts.quotedSchema;
  const { rows } = await query<WrittenVersion>(
    opts,
    db,
    `with doc as (
       update ${schema}.documents
       set data = $2, hash = $3, version = version + 1, updated_at = now(), updated_by = $5
       where key = $1 and hash <> $3 and ($8::integer is null or version = $8)
       returning key, hash, version, updated_at
     ), hist as (
       insert into ${schema}.history (key, version, op, data, hash, actor, message, changed_at)
       select key, version, $4, $2, hash, $5, $6, updated_at from doc
     )
     select version, updated_at as "updatedAt", ${notifyChange('$7', '$4')} from doc`,
    [write.key, write.data, write.hash, write.op, write.actor, write.message, opts.channel, expectedVersion],
  );
  return rows[0];
}
