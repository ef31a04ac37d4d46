import { InvalidArgumentError } from 'commander';
import { BUILTIN_MODULE_TYPES, ModuleRegistry } from '../engine/registry.js';

/**
 * `--module-types greeter,rate-limiter`: the module types this server may run, from the built-in
 * ones. A config naming another type is refused by this server as an unknown type (and the last good
 * config keeps serving): a replica kept to a subset, or an older release in a mixed fleet that lacks
 * a newer type, reports the rejection to the fleet like any other.
 */
export function moduleTypes(value: string): string[] {
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const known = BUILTIN_MODULE_TYPES.map((t) => t.type);
  const unknown = names.filter((n) => !known.includes(n));
  if (names.length === 0 || unknown.length > 0)
    throw new InvalidArgumentError(
      `expected a comma-separated list of module types from ${known.join(', ')}${unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''}`,
    );
  return names;
}

/** The registry of the allowed types (all built-in ones when `allowed` is absent). */
export function registryOf(allowed: readonly string[] | undefined): ModuleRegistry {
  return allowed
    ? new ModuleRegistry(BUILTIN_MODULE_TYPES.filter((t) => allowed.includes(t.type)))
    : new ModuleRegistry();
}
