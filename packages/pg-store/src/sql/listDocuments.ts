import { type Queryable, query } from '../db.js';
import type { ResolvedOptions } from '../options.js';
import type { DocumentInfo } from '../types.js';

/** Live documents without their data, by key; `null` filters are off. */
export async function listDocuments(
  opts: ResolvedOptions,
  db: Queryable,
  filter: { prefix: string | null; after: string | null; limit: number },
): Promise<DocumentInfo[]> {
  const { rows } = await query<DocumentInfo>(
    opts,
    db,
    `select key, hash, version, created_at as "createdAt", created_by as "createdBy",
            updated_at as "updatedAt", updated_by as "updatedBy"
     from ${opts.quotedSchema}.documents
     where ($1::text is null or starts_with(key, $1)) and ($2::text is null or key > $2)
     order by key
     limit $3`,
    [filter.prefix, filter.after, filter.limit],
  );
  return rows;
}
