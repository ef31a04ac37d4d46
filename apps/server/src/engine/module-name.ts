import { KEY_PATTERN } from '@cfg/pg-store';

/**
 * Module names follow the store's document key rule: they appear in URL paths
 * (`/api/v1/modules/:name`), in issue paths and in stored documents, so one rule serves all three.
 */
export const MODULE_NAME_PATTERN = KEY_PATTERN;

export const MODULE_NAME_MAX_LENGTH = 200;

export const MODULE_NAME_RULE = `1-${MODULE_NAME_MAX_LENGTH} characters from A-Z a-z 0-9 . _ / -`;

export function isValidModuleName(name: string): boolean {
  return MODULE_NAME_PATTERN.test(name);
}
