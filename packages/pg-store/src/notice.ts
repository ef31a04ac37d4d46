import { InvalidNoticeError } from './errors.js';
import type { DocumentOp, PgDocumentChangeNotice } from './types.js';
import { KEY_PATTERN } from './validate.js';

const OPS: ReadonlySet<string> = new Set<DocumentOp>(['create', 'update', 'rollback', 'delete']);

/**
 * Reads a NOTIFY payload written by `notifyChange` (`{op, key, version, hash}` JSON). Anything else on
 * the channel is an `InvalidNoticeError`: listeners only ever see well-formed notices.
 */
export function parseNotice(channel: string, payload: string): PgDocumentChangeNotice {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch (error) {
    throw new InvalidNoticeError(channel, payload, { cause: error });
  }
  const { op, key, version, hash } = (value ?? {}) as Record<string, unknown>;
  if (
    typeof op !== 'string' ||
    !OPS.has(op) ||
    typeof key !== 'string' ||
    !KEY_PATTERN.test(key) ||
    !Number.isSafeInteger(version) ||
    (version as number) < 1 ||
    typeof hash !== 'string'
  ) {
    throw new InvalidNoticeError(channel, payload);
  }
  return { op: op as DocumentOp, key, version: version as number, hash };
}
