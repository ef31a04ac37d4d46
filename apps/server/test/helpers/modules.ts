import type { ModuleConfig } from '@cfg/source';
import { parseModuleConfig } from '../../src/engine/module-config.js';
import type { ModuleInstance, ModuleType } from '../../src/engine/types.js';

interface CreateOptions {
  name?: string;
  now?: () => number;
  deps?: ReadonlyMap<string, ModuleInstance>;
}

/** Validates `config` with the type's schema, as the engine does. */
export function parseFor<C>(type: ModuleType<C>, config: unknown, name = type.type): C {
  return parseModuleConfig(type, { name, type: type.type, config: config as ModuleConfig['config'] });
}

/** One instance of `type`, built the way the engine builds it; typed as the type's own class. */
export function createModule<C, T extends ModuleInstance>(
  type: ModuleType<C, T>,
  config: unknown,
  opts: CreateOptions = {},
): T {
  const name = opts.name ?? type.type;
  return type.create({
    name,
    config: parseFor(type, config, name),
    deps: opts.deps ?? new Map(),
    now: opts.now ?? (() => performance.now()),
  } as never);
}
