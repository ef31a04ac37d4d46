import type { AppConfig, ValidationIssue } from '@cfg/source';
import { codes } from '../http/errors.js';

/**
 * `config` with module `name`'s config replaced (a copy), after `validate` accepted the result.
 * Throws the 404 or 422 of the error table.
 */
export function withModuleConfig(
  config: AppConfig,
  name: string,
  moduleConfig: Record<string, unknown>,
  validate: (config: AppConfig) => ValidationIssue[],
): AppConfig {
  if (!config.modules.some((m) => m.name === name)) throw codes.CFG_ERR_MODULE_NOT_FOUND(name);
  const next = {
    ...config,
    modules: config.modules.map((m) => (m.name === name ? { ...m, config: moduleConfig } : m)),
  };
  assertValid(next, validate);
  return next;
}

/** Throws the 422 of the error table, carrying every issue, when `validate` finds any. */
export function assertValid(config: AppConfig, validate: (config: AppConfig) => ValidationIssue[]): void {
  const issues = validate(config);
  if (issues.length === 0) return;
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw codes.CFG_ERR_INVALID_CONFIG.with(
    { issues },
    `${first.path ? `${first.path}: ` : ''}${first.message}${more}`,
  );
}
