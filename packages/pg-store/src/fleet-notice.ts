import { InvalidNoticeError } from './errors.js';
import type { FleetNotice, FleetOutcome } from './fleet-types.js';
import { INSTANCE_ID_PATTERN } from './fleet-validate.js';
import { KEY_PATTERN } from './validate.js';

const OUTCOMES: ReadonlySet<string> = new Set<FleetOutcome>([
  'noop',
  'partial',
  'full',
  'rejected',
  'superseded',
]);

/**
 * Reads a NOTIFY payload written by `insertOutcome` (`{key, version, instanceId, outcome}` JSON).
 * Anything else on the channel is an `InvalidNoticeError`, never handed to listeners.
 */
export function parseFleetNotice(channel: string, payload: string): FleetNotice {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch (error) {
    throw new InvalidNoticeError(channel, payload, { cause: error });
  }
  const { key, version, instanceId, outcome } = (value ?? {}) as Record<string, unknown>;
  if (
    typeof key !== 'string' ||
    !KEY_PATTERN.test(key) ||
    !Number.isSafeInteger(version) ||
    (version as number) < 1 ||
    typeof instanceId !== 'string' ||
    !INSTANCE_ID_PATTERN.test(instanceId) ||
    typeof outcome !== 'string' ||
    !OUTCOMES.has(outcome)
  ) {
    throw new InvalidNoticeError(channel, payload);
  }
  return { key, version: version as number, instanceId, outcome: outcome as FleetOutcome };
}
