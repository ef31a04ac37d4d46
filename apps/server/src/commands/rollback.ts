import { userInfo } from 'node:os';
import { type DatabaseFlags, withDatabase } from '../db/connect.js';
import { awaitRollout } from '../fleet/await-rollout.js';
import type { CommandResult } from './validate.js';

export interface RollbackFlags extends DatabaseFlags {
  key: string;
  expectVersion?: number;
  /** `--wait[=timeout]`, in ms: wait for every live server to report the new version. */
  wait?: number;
}

/** `cfg rollback <version> --key <key> [--wait]`: writes that version's content as a new version. */
export async function rollbackCommand(version: number, flags: RollbackFlags): Promise<CommandResult> {
  return withDatabase(flags, async ({ store }) => {
    const written = await store.rollback(flags.key, version, {
      actor: `cli:${userInfo().username}`,
      message: 'cfg rollback',
      ...(flags.expectVersion === undefined ? {} : { expectedVersion: flags.expectVersion }),
    });
    const line = written.changed
      ? `rolled "${flags.key}" back to version ${version}: now version ${written.version}`
      : `"${flags.key}" already has the content of version ${version}: still version ${written.version}`;
    if (flags.wait === undefined) return { lines: [line], exitCode: 0 };
    const rollout = await awaitRollout(store, flags.key, written.version, flags.wait);
    return { lines: [line, ...rollout.lines], exitCode: rollout.exitCode };
  });
}
