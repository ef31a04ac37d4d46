import { MAX_NESTING } from './limits.js';

export interface NestingViolation {
  /** 0-based offset of the bracket that went past the limit. */
  offset: number;
}

/**
 * Finds the first flow bracket (`[` or `{`) nested deeper than `limit`, skipping quoted strings and
 * `#` comments. One linear scan without allocation: the guard in front of a custom parser (which
 * may recurse per level) when no exact count is at hand. Like YAML, it takes a quote or `#` as
 * special only after whitespace, a line break or a flow indicator (`don't` is plain). The built-in
 * parser counts exactly instead (`yaml-document.ts`), block style included.
 */
export function findExcessiveNesting(text: string, limit = MAX_NESTING): NestingViolation | undefined {
  let depth = 0;
  let quote = 0; // the char code of the open quote, or 0
  let comment = false;
  let previous = 10; // as if after a newline
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (comment) {
      if (c === 10 || c === 13) comment = false;
    } else if (quote !== 0) {
      if (c === 92 && quote === 34)
        i++; // backslash escape inside "…"
      else if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) {
      if (_separator(previous)) quote = c;
    } else if (c === 35) {
      if (_separator(previous)) comment = true;
    } else if (c === 91 || c === 123) {
      if (++depth > limit) return { offset: i };
    } else if (c === 93 || c === 125) {
      if (depth > 0) depth--;
    }
    previous = c;
  }
  return undefined;
}

/** Whitespace, a line break, or a flow indicator: what may stand before a quote or a comment. */
function _separator(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 44 || c === 58 || c === 91 || c === 123;
}
