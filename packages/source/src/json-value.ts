import { MAX_NESTING } from './limits.js';
import { isPlainObject } from './plain-object.js';

/** Why a value is not one every replica serves alike, and where (`['modules', 0, 'config', 'x']`). */
export interface JsonValueProblem {
  path: (string | number)[];
  reason: string;
}

export interface JsonValueOptions {
  /**
   * How many levels of mappings and lists the value may nest, counting itself (`{a: [1]}` is 2).
   * A module config checked on its own gets what is left below its place in the document.
   * @defaultValue `MAX_NESTING`
   */
  maxNesting?: number;
}

/**
 * The first reason `value` is not plain JSON data that survives a round trip through text unchanged:
 * nesting deeper than the limit, a number that is not finite (`JSON.parse('1e400')` is `Infinity`),
 * an integer beyond ±2^53 that prints as digits (it already lost some, and the integer literal it
 * prints as is refused by the parser; from 1e21 numbers print as float literals, which are not), or
 * an object that is not a plain mapping or list. Undefined when there
 * is none. Iterative, so a hostile value cannot overflow the stack here.
 */
export function findJsonValueProblem(
  value: unknown,
  opts: JsonValueOptions = {},
): JsonValueProblem | undefined {
  const maxNesting = opts.maxNesting ?? MAX_NESTING;
  // Parents by reference instead of a path per value: paths are only built for the one problem.
  const stack: _Entry[] = [{ value, key: undefined, parent: undefined, level: 0 }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const reason = _problemOf(entry.value, entry.level, maxNesting);
    if (reason) return { path: _pathOf(entry), reason };
    const current = entry.value;
    if (typeof current !== 'object' || current === null) continue;
    const level = entry.level + 1;
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--)
        stack.push({ value: current[i], key: i, parent: entry, level });
    } else {
      const keys = Object.keys(current);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        stack.push({ value: (current as Record<string, unknown>)[key], key, parent: entry, level });
      }
    }
  }
  return undefined;
}

interface _Entry {
  value: unknown;
  key: string | number | undefined;
  parent: _Entry | undefined;
  /** How many mappings and lists enclose the value. */
  level: number;
}

function _problemOf(value: unknown, level: number, maxNesting: number): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      if (!Number.isFinite(value)) return `${value} is not a finite number; JSON has no infinities or NaN`;
      // Printed without an exponent (below 1e21) it reads back as an integer literal, which is refused.
      if (Number.isInteger(value) && !Number.isSafeInteger(value) && !String(value).includes('e'))
        return `the integer ${value} is beyond ±2^53 and has lost digits; send it as a string`;
      return undefined;
    case 'object':
      if (value === null) return undefined;
      if (!Array.isArray(value) && !isPlainObject(value))
        return `an object (${value.constructor?.name ?? 'no prototype'}) is not JSON data`;
      return level >= maxNesting ? `nesting deeper than ${maxNesting} levels; flatten it` : undefined;
    default:
      return `${typeof value} is not JSON data`;
  }
}

function _pathOf(entry: _Entry): (string | number)[] {
  const path: (string | number)[] = [];
  for (let e: _Entry | undefined = entry; e?.key !== undefined; e = e.parent) path.push(e.key);
  return path.reverse();
}
