import type { Reconfigurable } from './types.js';

/** True when `value` can be reconfigured in place: it has a `reconfigure` method (and, if any, a callable `prepareReconfigure`). */
export function isReconfigurable(value: unknown): value is Reconfigurable {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const candidate = value as Partial<Record<keyof Reconfigurable, unknown>>;
  return (
    typeof candidate.reconfigure === 'function' &&
    (candidate.prepareReconfigure === undefined || typeof candidate.prepareReconfigure === 'function')
  );
}
