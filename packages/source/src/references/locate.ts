import type { Scalar } from 'yaml';
import type { TextPosition } from '../parse.js';
import { parseYamlDocument } from '../yaml-document.js';
import type { SiteProblem } from './find.js';
import type { ValuePath } from './pointer.js';
import type { ReferenceProblem } from './types.js';

type Locate = (path: ValuePath, reference: string) => TextPosition | undefined;

/**
 * The problems with their line and column in `text`: the reference inside its string when the
 * text spells it as written (plain, quoted or block scalars without escapes in the reference),
 * else the string's start. Parses the text once more, so it runs only when something is wrong.
 * Without a text, or when it does not parse as YAML (JSON does), positions stay 0.
 */
export function locateProblems(
  problems: readonly SiteProblem[],
  text: string | (() => string) | undefined,
  filename: string,
): ReferenceProblem[] {
  const locate = _locator(text, filename);
  return problems.map(({ path, ...problem }) => ({
    ...problem,
    ...(locate?.(path, problem.reference) ?? { line: 0, column: 0 }),
  }));
}

function _locator(text: string | (() => string) | undefined, filename: string): Locate | undefined {
  try {
    const source = typeof text === 'function' ? text() : text;
    if (source === undefined) return undefined;
    const { doc, position } = parseYamlDocument(source, { filename });
    return (path, reference) => {
      const range = (doc.getIn(path, true) as Scalar | undefined)?.range;
      if (!range) return undefined;
      const inside = source.slice(range[0], range[1]).indexOf(reference);
      return position(range[0] + Math.max(0, inside));
    };
  } catch {
    // Positions are a help; the problems are reported without them.
    return undefined;
  }
}
