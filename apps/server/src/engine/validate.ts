import { dependencyOrder } from '@cfg/reloader';
import {
  type AppConfig,
  ConfigValidationError,
  type ModuleConfig,
  moduleIssuePath,
  type ValidationIssue,
} from '@cfg/source';
import { parseModuleConfig } from './module-config.js';
import { isValidModuleName, MODULE_NAME_RULE } from './module-name.js';
import type { ModuleRegistry } from './registry.js';
import type { ModuleType, PreparedModule } from './types.js';

export type ValidationOutcome =
  | { ok: true; modules: PreparedModule[] }
  | { ok: false; issues: ValidationIssue[] };

/** The modules of a config known to be acyclic, and their build order (names). */
export interface BuildOrder {
  modules: readonly ModuleConfig[];
  order: readonly string[];
}

/**
 * Checks a whole config against the registry, without building anything: names, known types, each
 * module's config schema, `dependsOn` targets and needed types, cycles, and route clashes. On success
 * the modules come back prepared (typed config) in dependency order, ready to build. `known` is a
 * config already ordered (the running one): when `config` has the same modules in the same places
 * with the same `dependsOn` (a change of module configs only), its order is taken, not walked again.
 */
export function validateAppConfig(
  config: AppConfig,
  registry: ModuleRegistry,
  known?: BuildOrder,
): ValidationOutcome {
  const issues: ValidationIssue[] = [];
  const prepared = new Map<string, PreparedModule>();
  const byName = new Map(config.modules.map((m) => [m.name, m]));

  for (const module of config.modules) {
    if (!isValidModuleName(module.name))
      issues.push({ path: moduleIssuePath(module.name), message: `module names are ${MODULE_NAME_RULE}` });
    const type = registry.get(module.type);
    if (!type) {
      const known = registry.list().map((t) => t.type);
      issues.push({
        path: `${moduleIssuePath(module.name)}.type`,
        message: `unknown module type "${module.type}"; known: ${known.join(', ')}`,
      });
      continue;
    }
    try {
      prepared.set(module.name, { module, type, config: parseModuleConfig(type, module) });
    } catch (error) {
      if (!(error instanceof ConfigValidationError)) throw error;
      issues.push(...error.issues);
    }
    _dependencyIssues(module, type.needs, byName, issues);
  }

  const order = known && _sameGraph(known.modules, config.modules) ? known.order : _orderOf(config);
  if ('cycle' in order)
    issues.push({ path: 'modules', message: `dependency cycle: ${order.cycle.join(' → ')}` });
  issues.push(..._routeIssues([...prepared.values()]));

  if (issues.length > 0 || 'cycle' in order) return { ok: false, issues };
  return { ok: true, modules: order.map((name) => prepared.get(name)!) };
}

/** Build order: every module after what it depends on (the reloader's own ordering rule). */
function _orderOf(config: AppConfig): readonly string[] | { cycle: string[] } {
  const order = dependencyOrder(
    config.modules.map((m) => ({ name: m.name, next: m })),
    config.modules,
  );
  return order.ok ? order.order.map((m) => m.name) : { cycle: order.cycle };
}

/** The same names in the same places, each with the same `dependsOn`: the same dependency graph. */
function _sameGraph(a: readonly ModuleConfig[], b: readonly ModuleConfig[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((m, i) => {
    const other = b[i]!;
    if (m === other) return true;
    const [x, y] = [m.dependsOn ?? [], other.dependsOn ?? []];
    return m.name === other.name && x.length === y.length && x.every((dep, j) => dep === y[j]);
  });
}

/** Like `validateAppConfig`, but throws a `ConfigValidationError` carrying every issue. */
export function prepareAppConfig(config: AppConfig, registry: ModuleRegistry): PreparedModule[] {
  const outcome = validateAppConfig(config, registry);
  if (!outcome.ok) throw new ConfigValidationError(outcome.issues, { subject: 'config' });
  return outcome.modules;
}

/** Pushes onto `issues` what is wrong with `module`'s `dependsOn` (most modules: nothing, no allocation). */
function _dependencyIssues(
  module: ModuleConfig,
  needs: ModuleType['needs'],
  byName: ReadonlyMap<string, ModuleConfig>,
  issues: ValidationIssue[],
): void {
  const deps = module.dependsOn ?? [];
  const path = () => moduleIssuePath(module.name, 'dependsOn');
  for (const dep of deps) {
    if (dep === module.name) issues.push({ path: path(), message: 'a module cannot depend on itself' });
    else if (!byName.has(dep))
      issues.push({ path: path(), message: `depends on "${dep}", which is not a module here` });
  }
  if (!needs) return;
  for (const [type, need] of Object.entries(needs)) {
    const matching = deps.filter((d) => byName.get(d)?.type === type);
    if (need === 'required' && matching.length === 0) {
      issues.push({ path: path(), message: `needs a "${type}" module among dependsOn` });
    }
    if (matching.length > 1) {
      issues.push({
        path: path(),
        message: `at most one "${type}" module among dependsOn, found ${matching.join(', ')}`,
      });
    }
  }
}

function _routeIssues(modules: readonly PreparedModule[]): ValidationIssue[] {
  const owner = new Map<string, string>();
  const issues: ValidationIssue[] = [];
  for (const { module, type, config } of modules) {
    for (const route of type.routes(config)) {
      const other = owner.get(route);
      if (other)
        issues.push({
          path: moduleIssuePath(module.name),
          message: `${route} is already served by "${other}"`,
        });
      else owner.set(route, module.name);
    }
  }
  return issues;
}
