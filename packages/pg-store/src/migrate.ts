import type { Pool, PoolClient } from 'pg';
import { withTransaction } from './db.js';
import { SchemaTooNewError } from './errors.js';
import { LATEST_MIGRATION, MIGRATIONS } from './migrations.js';
import type { ResolvedOptions } from './options.js';

export interface MigrateResult {
  /** Migrations this call applied (empty when another process had already applied them). */
  applied: number[];
  /** The schema's migration after this call. */
  current: number;
}

/**
 * Brings the schema up to `LATEST_MIGRATION`: each migration is one transaction under an advisory
 * lock for this schema, so any number of processes may call it at once. Refuses a schema that a
 * newer version of this package migrated (`SchemaTooNewError`).
 */
export async function migrate(pool: Pool, opts: ResolvedOptions): Promise<MigrateResult> {
  const applied: number[] = [];
  for (;;) {
    const step = await withTransaction(pool, opts, (client) => _applyNext(client, opts));
    if (step.applied === undefined) return { applied, current: step.current };
    applied.push(step.applied);
  }
}

/** One transaction's work: lock, read the schema's migration, apply the next one if there is one. */
async function _applyNext(
  client: PoolClient,
  opts: ResolvedOptions,
): Promise<{ current: number; applied?: number }> {
  // Held until commit; a second migrator waits here, then sees what the first one applied.
  await client.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `@cfg/pg-store:migrate:${opts.schema}`,
  ]);
  const current = await _currentMigration(client, opts);
  if (current > LATEST_MIGRATION) throw new SchemaTooNewError(opts.schema, current, LATEST_MIGRATION);
  const next = MIGRATIONS.find((migration) => migration.id > current);
  if (!next) return { current };
  // The row goes first, so a migrator that somehow got past the lock fails at once on the key.
  await client.query(`insert into ${opts.quotedSchema}.migrations (id) values ($1)`, [next.id]);
  await client.query(next.text.replace(/:CFG_SCHEMA\b/g, opts.quotedSchema));
  return { current: next.id, applied: next.id };
}

/** The newest applied migration, creating the schema and its migrations table when missing (0). */
async function _currentMigration(client: PoolClient, opts: ResolvedOptions): Promise<number> {
  const table = `${opts.quotedSchema}.migrations`;
  const { rows } = await client.query<{ installed: boolean }>(
    'select to_regclass($1) is not null as installed',
    [table],
  );
  if (!rows[0]!.installed) {
    await client.query(`create schema if not exists ${opts.quotedSchema}`);
    await client.query(
      `create table ${table} (id integer primary key, applied_at timestamptz not null default now())`,
    );
    return 0;
  }
  const latest = await client.query<{ id: number | null }>(`select max(id) as id from ${table}`);
  return latest.rows[0]!.id ?? 0;
}
