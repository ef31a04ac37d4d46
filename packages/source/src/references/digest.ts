import { createHmac, randomBytes } from 'node:crypto';
import type { TargetState } from './read-targets.js';
import { targetKey } from './read-targets.js';
import type { ReferenceTarget } from './types.js';

/**
 * The key every digest of resolved values is made with: random, made once per process, never
 * written anywhere. Hashes are shown (ETags, events, logs) next to texts that are not secret, so an
 * unkeyed digest would let anyone test guesses of a weak password offline; keyed, a hash says
 * nothing about the values, and two processes give different hashes for the same secret.
 */
const PROCESS_KEY = randomBytes(32);

/**
 * The hash of a config whose references resolved to `states`: HMAC-SHA256 (hex) of the text's hash
 * and of every target's state in `targets` order (each value length-prefixed, so no two
 * different lists give the same input). Changes when any value changes, or a target appears or goes.
 */
export function digestValues(
  textHash: string,
  targets: readonly ReferenceTarget[],
  states: ReadonlyMap<string, TargetState>,
): string {
  const hmac = createHmac('sha256', PROCESS_KEY).update(`cfg-references-1\0${textHash}\0`);
  for (const target of targets) {
    const key = targetKey(target);
    const state = states.get(key);
    hmac.update(`${key}\0`);
    if (state?.kind === 'value') hmac.update(`=${Buffer.byteLength(state.value)}:`).update(state.value);
    else hmac.update(`!${state?.kind === 'problem' ? state.code : (state?.kind ?? 'none')}`);
    hmac.update('\0');
  }
  return hmac.digest('hex');
}

/** A hash computed over secret values (e.g. a merged config), keyed the same way before it is shown. */
export function keyedHash(hash: string): string {
  return createHmac('sha256', PROCESS_KEY).update(`cfg-keyed-1\0${hash}`).digest('hex');
}
