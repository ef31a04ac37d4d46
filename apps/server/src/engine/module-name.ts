export const MODULE_NAME_MAX_LENGTH = 200;

/**
 * The engine's own rule for module names: they appear in URL paths (`/api/v1/modules/:name`) and in
 * issue paths, so they keep to characters that need no escaping in either. The same characters and
 * length as `@cfg/pg-store`'s document keys, by choice rather than by import: file mode has no
 * database, and a module name never becomes a document key.
 */
export const MODULE_NAME_PATTERN = new RegExp(`^[A-Za-z0-9._/-]{1,${MODULE_NAME_MAX_LENGTH}}$`);

export const MODULE_NAME_RULE = `1-${MODULE_NAME_MAX_LENGTH} characters from A-Z a-z 0-9 . _ / -`;

export function isValidModuleName(name: string): boolean {
  return MODULE_NAME_PATTERN.test(name);
}
