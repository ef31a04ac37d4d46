import { isPlainObject } from './plain-object.js';

/**
 * The path of an issue about module `name`, or about a place inside it: `modules.limiter`,
 * `modules.limiter.config.rps`. Issue paths (`ValidationIssue.path`) name modules, never number
 * them: a name says which module whatever its place in the list, and in a layered config (a file
 * under an overlay) the merged config's index of a module is not its index in either layer's text,
 * while its name is the same in all three. Every @cfg package and the reference server write them
 * this way; `issueNodePath` reads them back.
 */
export function moduleIssuePath(name: string, rest: string | readonly (string | number)[] = []): string {
  const tail = typeof rest === 'string' ? rest : rest.map(String).join('.');
  return tail === '' ? `modules.${name}` : `modules.${name}.${tail}`;
}

/**
 * Where an issue path points inside `config`, as keys and list indexes from the top:
 * `modules.limiter.config.paths.0` → `['modules', 1, 'config', 'paths', 0]` when `limiter` is the
 * second module and `paths` a list. What the path names beyond the existing values is kept as
 * given (for "the nearest existing ancestor"). Module names may contain dots: of the names the path
 * could start with, the longest one whose module has the key that follows wins (else the longest).
 * Undefined when the path names a module that `config` does not have. Linear in the path and the
 * module count; `config` is only read.
 */
export function issueNodePath(config: unknown, issuePath: string): (string | number)[] | undefined {
  if (issuePath === '') return [];
  const segments = issuePath.split('.');
  if (segments[0] !== 'modules' || segments.length === 1) return _walk(config, [], segments);
  const modules = isPlainObject(config) && Array.isArray(config.modules) ? config.modules : [];
  const rest = issuePath.slice('modules.'.length);
  let best: { index: number; tail: string[] } | undefined;
  let bestFits = false;
  let bestLength = -1;
  modules.forEach((module: unknown, index) => {
    const name = isPlainObject(module) ? module.name : undefined;
    if (typeof name !== 'string' || !(rest === name || rest.startsWith(`${name}.`))) return;
    const tail = rest === name ? [] : rest.slice(name.length + 1).split('.');
    const fits = tail.length === 0 || Object.hasOwn(module as object, tail[0]!);
    // A fitting name beats a longer one that does not fit; among equals, the longer name.
    if (fits === bestFits ? name.length > bestLength : fits) {
      best = { index, tail };
      bestFits = fits;
      bestLength = name.length;
    }
  });
  if (!best) return undefined;
  return _walk(modules[best.index], ['modules', best.index], best.tail);
}

/** `start` followed by `segments`, each a list index where the value at that point is a list. */
function _walk(value: unknown, start: (string | number)[], segments: readonly string[]): (string | number)[] {
  const path = [...start];
  let at: unknown = value;
  for (const segment of segments) {
    if (Array.isArray(at) && /^(?:0|[1-9]\d*)$/.test(segment)) {
      path.push(Number(segment));
      at = at[Number(segment)];
    } else {
      path.push(segment);
      at = isPlainObject(at) && Object.hasOwn(at, segment) ? at[segment] : undefined;
    }
  }
  return path;
}
