import m000001 from '../sql/000001.sql';
import m000002 from '../sql/000002.sql';

export interface Migration {
  id: number;
  /** SQL with `:CFG_SCHEMA` where the quoted schema name goes. */
  text: string;
}

/**
 * Every migration this code knows, oldest first. Forward-only: a shipped file is never edited; a
 * change is a new `sql/00000N.sql` added here. Bundled at build time, so nothing reads disk at runtime.
 */
export const MIGRATIONS: readonly Migration[] = [
  { id: 1, text: m000001 },
  { id: 2, text: m000002 },
];

export const LATEST_MIGRATION = MIGRATIONS.at(-1)!.id;
