import { type Queryable, query } from '../db.js';
import type { ResolvedOptions } from '../options.js';
import type { DocumentOp } from '../types.js';
import { notifyChange } from './notifyChange.js';

export interface DocumentWrite {
  key: string;
  data: string;
  hash: string;
  op: DocumentOp;
  actor: string;
  message: string | null;
}

export interface WrittenVersion {
  version: number;
  updatedAt: Date;
}

/**
 * Creates the live row, its history row and the notification in one statement. The version
 * continues after any deleted versions. Returns `undefined` when a concurrent writer created the
 * key first (`on conflict do nothing` waited for it to commit): lock that row and update instead.
 */
export async function insertDocument(
  opts: ResolvedOptions,
  db: Queryable,
  write: DocumentWrite,
): Promise<WrittenVersion | undefined> {
  const schema = opts.quotedSchema;
  const { rows } = await query<WrittenVersion>(
    opts,
    db,
    `with doc as (
       insert into ${schema}.documents (key, data, hash, version, created_by, updated_by)
       values ($1, $2, $3,
         (select coalesce(max(version), 0) + 1 from ${schema}.history where key = $1), $5, $5)
       on conflict (key) do nothing
       returning key, hash, version, updated_at
     ), hist as (
       insert into ${schema}.history (key, version, op, data, hash, actor, message, changed_at)
       select key, version, $4, $2, hash, $5, $6, updated_at from doc
     )
     select version, updated_at as "updatedAt", ${notifyChange('$7', '$4')} from doc`,
    [write.key, write.data, write.hash, write.op, write.actor, write.message, opts.channel],
  );
  return rows[0];
}
