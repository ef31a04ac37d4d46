import { InvalidIdentifierError, InvalidKeyError } from './errors.js';

/** The document key rule; the same rule is a CHECK constraint in the database (`sql/000001.sql`). */
export const KEY_PATTERN = /^[A-Za-z0-9._/-]{1,200}$/;

/** Plain, unquoted-safe PostgreSQL identifiers only, so a name never needs thinking about twice. */
const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Throws `InvalidKeyError` unless `key` follows the key rule. Checked before any SQL runs. */
export function assertValidKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) throw new InvalidKeyError(key);
}

/** Throws `InvalidIdentifierError` unless `value` is a plain identifier; `option` names it in the message. */
export function assertIdentifier(option: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !IDENTIFIER_PATTERN.test(value)) {
    throw new InvalidIdentifierError(option, value);
  }
}

/** A double-quoted identifier, for names that were validated with `assertIdentifier`. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Throws `RangeError` unless `value` is an integer ≥ `min` (versions, limits). */
export function assertInteger(name: string, value: unknown, min: number): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${String(value)}`);
  }
}
