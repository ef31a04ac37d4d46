/**
 * One block of a config text: a top-level section (`platform:` and every line under it) or one
 * item of a block-style `modules` list. A block runs from the start of its first line to the start
 * of the next block, so the comments and blank lines after it are its own.
 */
export interface ConfigBlock {
  kind: 'section' | 'module';
  text: string;
}

/**
 * Characters the splitter leaves to a full parse: tabs, carriage returns, a byte order mark
 * anywhere, and the line separators YAML 1.1 knew (NEL, LS, PS). Each could make a line mean
 * something other than what its leading spaces say.
 */
const UNSUPPORTED = /[\t\r\uFEFF\u0085\u2028\u2029]/;

/** `modules:` alone on its line, with at most a comment: the items below it are split. */
const MODULES_HEADER = /^modules:(?: +(?:#.*)?)?$/;

const SPACE = 32;
const HASH = 35;
const DASH = 45;

/**
 * Cuts a YAML config text into blocks at its structure: top-level keys, and each item of `modules`
 * when it is a block list. Undefined when the text is not in the plain subset where every block
 * means the same parsed alone as in the whole text. That subset is:
 * - before the first key, only blank and comment lines;
 * - every line that starts at column 0 is a blank line, a comment, a zero-indented list item (`- `)
 *   of the section above it, or a key starting with a letter, digit, `_` or `$` (so no `---`,
 *   `...`, `%` directives, `? ` keys, anchors, tags, quotes or flow collections at the top level);
 * - under the one `modules:` header line, the first content line is a list item, and every later
 *   content line is an item at that same indentation or a line indented deeper than it;
 * - none of the `UNSUPPORTED` characters anywhere.
 * Lines inside a block are not read: a block that only parses together with its neighbours (a
 * quoted string or flow collection left open, an anchor used across blocks) fails to parse alone,
 * and the caller then parses the whole text. Linear in the text; only line starts are looked at.
 */
export function splitConfigBlocks(text: string): ConfigBlock[] | undefined {
  if (UNSUPPORTED.test(text)) return undefined;
  const blocks: ConfigBlock[] = [];
  let state: 'preamble' | 'section' | 'modules-header' | 'modules' = 'preamble';
  let blockStart = -1;
  let blockKind: ConfigBlock['kind'] = 'section';
  let itemIndent = -1;
  let sawModules = false;
  const close = (end: number) => {
    if (blockStart >= 0) blocks.push({ kind: blockKind, text: text.slice(blockStart, end) });
    blockStart = -1;
  };
  const open = (kind: ConfigBlock['kind'], start: number) => {
    blockKind = kind;
    blockStart = start;
  };

  // Inside a section only a line at column 0 can end it, inside `modules` only one indented no
  // deeper than the items; these jump over every other line (blank and comment lines included).
  const sectionSkip = /\n(?=[^ \n#])/g;
  let itemSkip = sectionSkip;
  for (let lineStart = 0; lineStart < text.length; ) {
    let first = lineStart;
    while (text.charCodeAt(first) === SPACE) first++;
    const newline = text.indexOf('\n', first);
    const lineEnd = newline < 0 ? text.length : newline;
    const c = text.charCodeAt(first);
    const indent = first - lineStart;
    const item = c === DASH && (first + 1 === lineEnd || text.charCodeAt(first + 1) === SPACE);

    if (first === lineEnd || c === HASH) {
      // blank or comment: part of whatever block is open
    } else if (state === 'modules-header') {
      if (!item) return undefined; // `modules:` with no items, or not a block list
      itemIndent = indent;
      itemSkip = new RegExp(`\\n(?! {${itemIndent + 1}})(?! *(?:#|\\n|$))`, 'g');
      state = 'modules';
      open('module', lineStart);
    } else if (state === 'modules' && indent === itemIndent && item) {
      close(lineStart);
      open('module', lineStart);
    } else if (indent === 0 && !(item && state === 'section')) {
      if (!_isKeyStart(c)) return undefined;
      close(lineStart);
      if (MODULES_HEADER.test(text.slice(lineStart, lineEnd))) {
        // A second header leaves no block of its own to show the repeated key: parse it whole.
        if (sawModules) return undefined;
        sawModules = true;
        state = 'modules-header';
      } else {
        state = 'section';
        open('section', lineStart);
      }
    } else if (state === 'preamble' || (state === 'modules' && indent <= itemIndent)) {
      return undefined; // content before the first key, or a line out of line with the items
    }

    const skip = state === 'section' ? sectionSkip : state === 'modules' ? itemSkip : undefined;
    if (!skip) lineStart = lineEnd + 1;
    else {
      skip.lastIndex = lineEnd;
      lineStart = skip.exec(text)?.index ?? text.length;
      lineStart++;
    }
  }
  if (state === 'modules-header' || (blocks.length === 0 && blockStart < 0)) return undefined;
  close(text.length);
  return blocks;
}

/** A letter, digit, `_` or `$`: the start of a plain key that is no YAML indicator. */
function _isKeyStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;
}
