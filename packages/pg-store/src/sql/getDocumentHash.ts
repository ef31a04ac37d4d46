import { type Queryable, query } from '../db.js';
import type { ResolvedOptions } from '../options.js';

/** The live document's hash alone (the cheap change check), or `undefined`. */
export async function getDocumentHash(
  opts: ResolvedOptions,
  db: Queryable,
  key: string,
): Promise<string | undefined> {
  const { rows } = await query<{ hash: string }>(
    opts,
    db,
    `select hash from ${opts.quotedSchema}.documents where key = $1`,
    [key],
  );
  return rows[0]?.hash;
}
