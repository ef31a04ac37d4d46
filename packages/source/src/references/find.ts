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
