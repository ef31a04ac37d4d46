import { ConfigValidationError, type ModuleConfig, moduleIssuePath, type ValidationIssue } from '@cfg/source';
import type { ModuleType } from './types.js';

type Schema = ModuleType['configSchema'];

/**
 * Each module config object's schema result: a change's module is parsed once, by the engine's
 * validation, and that parse is what `prepareReconfigure`, `reconfigure` and a full reload's build
 * use. Configs are read-only (parsers and editors hand out new module objects for changed modules),
 * so the object is the key; weakly held, so an old config's entries go with it.
 */
const parsed = new WeakMap<ModuleConfig, { schema: Schema; result: ReturnType<Schema['safeParse']> }>();

/**
 * Checks `module.config` against its type's schema and returns the typed result. Throws a
 * `ConfigValidationError` whose issue paths name the module: `modules.limiter.config.rps`.
 * No side effects, so it doubles as `prepareReconfigure`; the same module object is parsed once.
 */
export function parseModuleConfig<C>(type: Pick<ModuleType<C>, 'configSchema'>, module: ModuleConfig): C {
  const schema = type.configSchema as Schema;
  let memo = parsed.get(module);
  if (memo?.schema !== schema) {
    memo = { schema, result: schema.safeParse(module.config ?? {}) };
    parsed.set(module, memo);
  }
  const { result } = memo;
  if (result.success) return result.data as C;
  const issues: ValidationIssue[] = result.error.issues.map((issue) => ({
    path: moduleIssuePath(module.name, ['config', ...issue.path.map(String)]),
    message: issue.message,
  }));
  throw new ConfigValidationError(issues, { subject: `module "${module.name}"` });
}
