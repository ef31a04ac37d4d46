import { isPlainObject } from '../plain-object.js';
import { toPointer, type ValuePath } from './pointer.js';
import { targetKey } from './read-targets.js';
import { parseReferenceString, type StringPart, shortReference } from './syntax.js';
import { REFERENCE_PROBLEM_CODES, type ReferenceProblem, type ReferenceTarget } from './types.js';
import { forEachString } from './walk.js';

/** A string value that holds references or escapes, and so is rewritten when resolved. */
export interface ReferenceSite {
  path: ValuePath;
  pointer: string;
  parts: StringPart[];
  /** How many references it holds; 0 for a string with escapes (`$${`) only. */
  references: number;
}

/** A problem before its position is known. */
export type SiteProblem = Omit<ReferenceProblem, 'line' | 'column'> & { path: ValuePath };

/** Everything a config's text says about references, found without reading any value. */
export interface FoundReferences {
  sites: ReferenceSite[];
  /** Each target once, sorted (`env:…` before `file:…`, then by name): the order values are hashed in. */
  targets: ReferenceTarget[];
  /** Strings that are not valid references, in document order (at most `MAX_PROBLEMS`). */
  problems: SiteProblem[];
}

/** Problems kept per document: enough to fix a batch, bounded for a document full of them. */
export const MAX_PROBLEMS = 100;

/** Every string value with `${` in it, parsed. Keys are never references. */
export function findReferences(config: unknown): FoundReferences {
  const sites: ReferenceSite[] = [];
  const problems: SiteProblem[] = [];
  const targets = new Map<string, ReferenceTarget>();
  forEachString(config, (value, pathOf) => {
    if (!value.includes('${')) return;
    const path = pathOf();
    const pointer = toPointer(path);
    const parsed = parseReferenceString(value);
    if (!parsed.ok) {
      if (problems.length < MAX_PROBLEMS) {
        problems.push({
          code: REFERENCE_PROBLEM_CODES.CFG_REF_SYNTAX,
          pointer,
          reference: shortReference(parsed.raw),
          message: parsed.reason,
          path,
        });
      }
      return;
    }
    sites.push({ path, pointer, parts: parsed.parts, references: parsed.references });
    for (const part of parsed.parts) {
      if (typeof part !== 'string') targets.set(targetKey(part.target), part.target);
    }
  });
  const sorted = [...targets.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
  return { sites, targets: sorted, problems };
}

/**
 * `findReferences` for the configs one source hands out over time, block by block: each top-level
 * value and each module is walked once per object and its finding kept (weakly, by the object), so
 * a config that shares most of its objects with an earlier one (an incremental parse keeps the
 * unchanged modules and sections) costs a walk of what changed plus one lookup per block. The
 * result always equals `findReferences(config)`: a block's finding depends on its strings alone,
 * and configs are read-only. `blocksWalked` counts the blocks walked so far.
 */
export class ReferenceFinder {
  readonly #blocks = new WeakMap<object, FoundReferences>();
  blocksWalked = 0;

  find(config: unknown): FoundReferences {
    if (!isPlainObject(config)) return findReferences(config);
    const found: FoundReferences = { sites: [], targets: [], problems: [] };
    const targets = new Map<string, ReferenceTarget>();
    for (const key of Object.keys(config)) {
      const value = config[key];
      if (key === 'modules' && Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) this.#add(found, targets, value[i], ['modules', i]);
      } else this.#add(found, targets, value, [key]);
    }
    found.targets = [...targets.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
    return found;
  }

  /** The finding of `value` at `prefix`, appended in document order. */
  #add(
    found: FoundReferences,
    targets: Map<string, ReferenceTarget>,
    value: unknown,
    prefix: ValuePath,
  ): void {
    let block: FoundReferences;
    if (typeof value === 'string') block = findReferences(value);
    else if (Array.isArray(value) || isPlainObject(value)) {
      let cached = this.#blocks.get(value);
      if (!cached) {
        this.blocksWalked++;
        cached = findReferences(value);
        this.#blocks.set(value, cached);
      }
      block = cached;
    } else return;
    if (block.sites.length === 0 && block.problems.length === 0) return;
    const at = toPointer(prefix);
    for (const site of block.sites) {
      found.sites.push({ ...site, path: [...prefix, ...site.path], pointer: at + site.pointer });
    }
    for (const problem of block.problems) {
      if (found.problems.length >= MAX_PROBLEMS) break;
      found.problems.push({ ...problem, path: [...prefix, ...problem.path], pointer: at + problem.pointer });
    }
    for (const target of block.targets) targets.set(targetKey(target), target);
  }
}
