import { MODULE_NAME_PATTERN } from '../engine/module-name.js';
import { MAX_VERSION } from '../writers/stored-writer.js';

/** Module names in paths are checked against the same rule as the config's module names. */
export const moduleNameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', pattern: MODULE_NAME_PATTERN.source } },
} as const;

/** Any JSON value, passed through as is (no response filtering). */
export const anyObject = { type: 'object', additionalProperties: true } as const;

export const ifMatchHeaders = {
  type: 'object',
  properties: { 'if-match': { type: 'string', maxLength: 200 } },
} as const;

/** A stored version number in a path, query or body. */
export const versionNumber = { type: 'integer', minimum: 1, maximum: MAX_VERSION } as const;
