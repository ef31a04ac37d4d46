import { type DatabaseFlags, withDatabase } from '../db/connect.js';
import type { CommandResult } from './validate.js';

export interface HistoryFlags extends DatabaseFlags {
  key: string;
  limit: number;
  json?: boolean;
}

/** `cfg history --key <key>`: one line per version, newest first: version, op, when, who, why. */
export async function historyCommand(flags: HistoryFlags): Promise<CommandResult> {
  return withDatabase(flags, async ({ store }) => {
    const history = await store.history(flags.key, { limit: flags.limit });
    if (flags.json) return { lines: [JSON.stringify(history, null, 2)], exitCode: 0 };
    if (history.length === 0) return { lines: [`no history for "${flags.key}"`], exitCode: 1 };
    const lines = history.map((h) =>
      `v${String(h.version).padEnd(4)} ${h.op.padEnd(8)} ${h.changedAt.toISOString()}  ${h.actor.padEnd(16)} ${h.message ?? ''}`.trimEnd(),
    );
    return { lines, exitCode: 0 };
  });
}
