import { type AppConfig, errorMessage, moduleIssuePath, type ValidationIssue } from '@cfg/source';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { ConfigValidator } from './types.js';

/**
 * Runs a validator and returns every issue it found (empty: valid); never throws. A function may
 * return issues or throw (an error carrying `issues`, like `ConfigValidationError`, keeps them; any
 * other error becomes one whole-config issue). Issues with array paths (Standard Schema, a thrown
 * `ZodError`) get dotted paths that name modules, as every issue path does (`moduleIssuePath`):
 * `['modules', 2, 'config', 'rps']` → `modules.<name of the third module>.config.rps`. A string path
 * a function returns is kept as written.
 */
export async function runValidator<C extends AppConfig>(
  validator: ConfigValidator<C>,
  config: C,
): Promise<ValidationIssue[]> {
  try {
    if (isStandardSchema(validator)) {
      const result = await validator['~standard'].validate(config);
      return result.issues ? result.issues.map((issue) => _fromStandardIssue(issue, config)) : [];
    }
    const issues = await validator(config);
    return issues ? [...issues] : [];
  } catch (error) {
    return _issuesOf(error, config);
  }
}

/** True for any Standard Schema. Checked before `typeof === 'function'`: arktype schemas are callable. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props = (value as Partial<StandardSchemaV1>)['~standard'];
  return typeof props === 'object' && props !== null && typeof props.validate === 'function';
}

/**
 * Dotted path from Standard Schema segments: `['modules', 2, { key: 'config' }]` → `modules.2.config`.
 * Given the `config` the path is into, a module index becomes the module's name
 * (`modules.api.config`), as in every issue path of the @cfg packages.
 */
export function formatIssuePath(path: readonly unknown[] | undefined, config?: AppConfig): string {
  if (!path) return '';
  const keys = path.map((segment) => (_isPathSegment(segment) ? segment.key : segment));
  const module = keys[0] === 'modules' && typeof keys[1] === 'number' ? config?.modules[keys[1]] : undefined;
  if (module) return moduleIssuePath(module.name, keys.slice(2).map(String));
  return keys.map(String).join('.');
}

function _isPathSegment(segment: unknown): segment is StandardSchemaV1.PathSegment {
  return typeof segment === 'object' && segment !== null && 'key' in segment;
}

function _fromStandardIssue(issue: StandardSchemaV1.Issue, config: AppConfig): ValidationIssue {
  return { path: formatIssuePath(issue.path, config), message: issue.message };
}

/**
 * Issues of a thrown error. Errors that carry `issues` keep them: a `ConfigValidationError`, or a
 * schema library's own error (a zod `ZodError` from `schema.parse`), whose array paths get dotted.
 */
function _issuesOf(error: unknown, config: AppConfig): ValidationIssue[] {
  const carried = (error as { issues?: unknown } | null)?.issues;
  if (Array.isArray(carried)) {
    const issues = carried.flatMap((issue) => _toIssue(issue, config));
    if (issues.length > 0) return issues;
  }
  return [{ path: '', message: errorMessage(error) }];
}

function _toIssue(value: unknown, config: AppConfig): ValidationIssue[] {
  const issue = value as { message?: unknown; path?: unknown } | null;
  if (typeof issue?.message !== 'string') return [];
  if (typeof issue.path === 'string') return [{ path: issue.path, message: issue.message }];
  const path = Array.isArray(issue.path) ? formatIssuePath(issue.path, config) : '';
  return [{ path, message: issue.message }];
}
