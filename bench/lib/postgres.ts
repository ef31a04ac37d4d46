import pg from 'pg';

/** Where benches that need PostgreSQL connect: DATABASE_URL, else the local trust-auth server. */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** `SELECT version()`, or why it could not be read (within ~2 s). */
export async function postgresVersion(
  url: string = DATABASE_URL,
): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string }>('select version()');
    return { ok: true, version: rows[0]?.version ?? 'unknown' };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    await client.end().catch(() => {});
  }
}
