import { isMap, isNode, isSeq, type Node } from 'yaml';
import { issueNodePath } from '../issue-path.js';
import type { TextPosition } from '../parse.js';
import type { ParsedYaml } from '../yaml-document.js';

/**
 * `EditableConfigText.locate` on a parsed text whose value is `value`: the position of the node at
 * `path` (an issue path, resolved against `value`, or keys and indexes), or of its deepest ancestor
 * in the document. Undefined when an issue path names a module the value lacks.
 */
export function positionIn(
  parsed: ParsedYaml,
  value: unknown,
  path: string | readonly (string | number)[],
): TextPosition | undefined {
  const nodePath = typeof path === 'string' ? issueNodePath(value, path) : path;
  if (!nodePath) return undefined;
  let node = parsed.doc.contents as Node | null;
  let offset = node?.range?.[0];
  for (const segment of nodePath) {
    const next: unknown = isMap(node) || isSeq(node) ? node.get(segment, true) : undefined;
    if (!isNode(next)) break;
    node = next;
    offset = next.range?.[0] ?? offset;
  }
  return offset === undefined ? undefined : parsed.position(offset);
}
