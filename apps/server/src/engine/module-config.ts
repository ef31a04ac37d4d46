import { ConfigValidationError, type ModuleConfig, moduleIssuePath, type ValidationIssue } from '@cfg/source';
import type { ModuleType } from './types.js';

/**
 * Checks `module.config` against its type's schema and returns the typed result. Throws a
 * `ConfigValidationError` whose issue paths name the module: `modules.limiter.config.rps`.
 * No side effects, so it doubles as `prepareReconfigure`.
 */
export function parseModuleConfig<C>(type: Pick<ModuleType<C>, 'configSchema'>, module: ModuleConfig): C {
  const result = type.configSchema.safeParse(module.config ?? {});
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.map((issue) => ({
    path: moduleIssuePath(module.name, ['config', ...issue.path.map(String)]),
    message: issue.message,
  }));
  throw new ConfigValidationError(issues, { subject: `module "${module.name}"` });
}
