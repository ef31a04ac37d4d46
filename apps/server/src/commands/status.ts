import { type DatabaseFlags, withDatabase } from '../db/connect.js';
import { fleetLines } from '../fleet/format.js';
import type { CommandResult } from './validate.js';

export interface StatusFlags extends DatabaseFlags {
  key: string;
  versions: number;
  json?: boolean;
}

/** `cfg status --key <key>`: the fleet of a document as two tables (or `--json`, as `GET /api/v1/fleet`). */
export async function statusCommand(flags: StatusFlags): Promise<CommandResult> {
  return withDatabase(flags, async ({ store }) => {
    const fleet = await store.fleet(flags.key, { versions: flags.versions });
    if (flags.json) return { lines: [JSON.stringify(fleet, null, 2)], exitCode: 0 };
    return { lines: fleetLines(fleet), exitCode: 0 };
  });
}
