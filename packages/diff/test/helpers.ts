import type { AppConfig, ModuleConfig } from '@cfg/source';
import type { PathChange } from '../src/index.js';

export function mod(name: string, rest: Partial<ModuleConfig> = {}): ModuleConfig {
  return { name, type: 'http', ...rest };
}

export function app(modules: ModuleConfig[], sections: Record<string, unknown> = {}): AppConfig {
  return { ...sections, modules };
}

/** A fresh deep copy, as a re-parse of the same text would give: equal content, no shared objects. */
export function reparsed<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** `count` modules with nested config, arrays and dependencies, like a large real service. */
export function bigConfig(count: number): AppConfig {
  const modules: ModuleConfig[] = [];
  for (let i = 0; i < count; i++) {
    modules.push({
      name: `module-${i}`,
      type: i % 3 === 0 ? 'http' : 'worker',
      config: { port: 8000 + i, limits: { rps: 100, burst: 20 }, tags: ['a', `t${i % 7}`] },
      dependsOn: i > 0 ? [`module-${i - 1}`] : [],
    });
  }
  return { modules, platform: { region: 'eu' } };
}

/**
 * Applies path changes to a copy of `module`, reading each pointer back into segments. Array
 * removals arrive in ascending index order for the tail of a shrinking array, so they truncate.
 * The empty pointer replaces the whole module.
 */
export function applyPaths(module: unknown, paths: readonly PathChange[]): unknown {
  let root = reparsed(module);
  for (const change of paths) {
    if (change.path === '') {
      root = reparsed(change.next);
      continue;
    }
    const segments = change.path
      .slice(1)
      .split('/')
      .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = segments.pop() as string;
    let parent = root as Record<string, unknown>;
    for (const segment of segments) {
      parent[segment] ??= {};
      parent = parent[segment] as Record<string, unknown>;
    }
    if (change.op === 'remove') {
      if (Array.isArray(parent)) parent.length = Math.min(parent.length, Number(last));
      else delete parent[last];
    } else {
      Object.defineProperty(parent, last, {
        value: reparsed(change.next),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return root;
}

/** A small deterministic PRNG (mulberry32), so "random" tests replay identically. */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
