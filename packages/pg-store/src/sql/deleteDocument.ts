import { type Queryable, query } from '../db.js';
import type { ResolvedOptions } from '../options.js';
import { notifyChange } from './notifyChange.js';

/**
 * Removes the live row (locked by `lockDocument`) and records the deletion as the next version,
 * without data, and notifies with an empty hash. Returns that version.
 */
export async function deleteDocument(
  opts: ResolvedOptions,
  db: Queryable,
  del: { key: string; actor: string; message: string | null },
): Promise<number> {
  const schema = opts.quotedSchema;
  const { rows } = await query<{ version: number }>(
    opts,
    db,
    `with doc as (
       delete from ${schema}.documents where key = $1
       returning key, version + 1 as version, '' as hash
     ), hist as (
       insert into ${schema}.history (key, version, op, actor, message)
       select key, version, 'delete', $2, $3 from doc
     )
     select version, ${notifyChange('$4', "'delete'")} from doc`,
    [del.key, del.actor, del.message, opts.channel],
  );
  return rows[0]!.version;
}
