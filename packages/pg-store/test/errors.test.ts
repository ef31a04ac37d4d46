import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DocumentNotFoundError,
  InvalidIdentifierError,
  InvalidKeyError,
  InvalidNoticeError,
  ListenConnectionError,
  NotMigratedError,
  PG_STORE_ERROR_CODES,
  PgStoreError,
  SchemaTooNewError,
  StoreTimeoutError,
  UnknownInstanceError,
  VersionConflictError,
} from '../src/index.js';

const examples: PgStoreError[] = [
  new VersionConflictError('k', 1, 2),
  new DocumentNotFoundError('k'),
  new InvalidKeyError('a b'),
  new InvalidIdentifierError('schema', '1x'),
  new NotMigratedError('cfg'),
  new SchemaTooNewError('cfg', 9, 1),
  new InvalidNoticeError('ch', '{}'),
  new ListenConnectionError('ch', 100, { cause: new Error('ECONNREFUSED') }),
  new StoreTimeoutError('lock', 2_000),
  new UnknownInstanceError('host:1'),
];

describe('error table', () => {
  it('each key equals its code', () => {
    for (const [key, code] of Object.entries(PG_STORE_ERROR_CODES)) expect(key).toBe(code);
  });

  it('every code has exactly one error class, with a distinct name', () => {
    expect(examples.map((e) => e.code).sort()).toEqual(Object.values(PG_STORE_ERROR_CODES).sort());
    expect(new Set(examples.map((e) => e.name)).size).toBe(examples.length);
    for (const error of examples) {
      expect(error).toBeInstanceOf(PgStoreError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(error.constructor.name);
    }
  });

  it('every code and class is documented in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const error of examples) {
      expect(readme).toContain(error.code);
      expect(readme).toContain(error.name);
    }
  });

  it('messages say how to fix it', () => {
    expect(new VersionConflictError('k', 1, 2).message).toMatch(/re-read/);
    expect(new NotMigratedError('cfg').message).toMatch(/migrate\(\)/);
    expect(new UnknownInstanceError('i').message).toMatch(/registerInstance\(\) first/);
    expect(new ListenConnectionError('ch', 100, { cause: new Error('ECONNREFUSED') }).message).toBe(
      'LISTEN "ch" failed: ECONNREFUSED; retrying in 100 ms',
    );
  });
});
