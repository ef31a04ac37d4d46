import type { AppConfig, TextPosition } from '@cfg/source';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

/**
 * Where an engine issue path (`modules.limiter.config.rps`, module named rather than indexed) sits
 * in the YAML/JSON text: the deepest node that exists on the way, 1-based. Undefined when the
 * module cannot be found.
 */
export function locateIssue(text: string, config: AppConfig, issuePath: string): TextPosition | undefined {
  const path = _nodePath(config, issuePath);
  if (!path) return undefined;
  const lineCounter = new LineCounter();
  // Positions only: the text parsed as a config already, within the limits. `uniqueKeys: false`
  // skips yaml's pairwise key compare (quadratic: 40k keys took 11 s) that parsing did linearly.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  let node = doc.contents as Node | null;
  let offset = node?.range?.[0];
  for (const segment of path) {
    const next = isMap(node)
      ? node.get(segment, true)
      : isSeq(node)
        ? node.get(Number(segment), true)
        : undefined;
    if (!next || typeof next !== 'object' || !('range' in next)) break;
    node = next as Node;
    offset = node.range?.[0] ?? offset;
  }
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** `modules.<name>.rest` → `['modules', index, ...rest]`; names may contain dots, so match the longest. */
function _nodePath(config: AppConfig, issuePath: string): (string | number)[] | undefined {
  if (!issuePath.startsWith('modules.')) return issuePath ? issuePath.split('.') : [];
  const rest = issuePath.slice('modules.'.length);
  let best: { index: number; name: string } | undefined;
  config.modules.forEach((m, index) => {
    const fits = rest === m.name || rest.startsWith(`${m.name}.`);
    if (fits && (!best || m.name.length > best.name.length)) best = { index, name: m.name };
  });
  if (!best) return undefined;
  const tail = rest.slice(best.name.length + 1);
  return ['modules', best.index, ...(tail ? tail.split('.') : [])];
}
