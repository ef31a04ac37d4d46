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

/** Whether `text` has an `UNSUPPORTED` character between `from` and `to`. */
export function hasUnsupported(text: string, from: number, to: number): boolean {
  return from < to && UNSUPPORTED.test(text.slice(from, to));
}

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
  const layout = scanConfigBlocks(text);
  return layout?.starts.map((start, i) => ({
    kind: layout.kinds[i]!,
    text: text.slice(start, layout.ends[i]),
  }));
}

/**
 * Where `splitConfigBlocks` cuts a text, as offsets: block `i` is `text.slice(starts[i], ends[i])`
 * of kind `kinds[i]`. `states[i]` is the scanner's state just before the line that opened block `i`
 * (an opaque number): a scan resumed there, on a text with the same bytes before that line, goes on
 * exactly as the first one did.
 */
export interface BlockLayout {
  starts: number[];
  ends: number[];
  kinds: ConfigBlock['kind'][];
  states: number[];
}

/** Where a scan resumes: a line start and the state before it (`BlockLayout.states`). */
export interface ScanResume {
  at: number;
  state: number;
}

/** A scan that stopped where the rest of the text is cut as a known layout (see `scanConfigBlocks`). */
export interface ScanResult extends BlockLayout {
  /** The line start where the scan stopped, and what `sync` answered there; none: scanned to the end. */
  synced?: { at: number; index: number };
}

const STATES = ['preamble', 'section', 'modules-header', 'modules'] as const;
type ScanState = (typeof STATES)[number];

/** The scanner's whole state as one number (equal numbers: the same scan from here on). */
function _encode(state: ScanState, itemIndent: number, sawModules: boolean): number {
  return STATES.indexOf(state) + (sawModules ? 4 : 0) + (itemIndent + 1) * 8;
}

/**
 * `splitConfigBlocks` as offsets (`BlockLayout`), and resumable. With `from`, the scan starts at
 * that line in that state, with no block open, and the text before it is not looked at (nor checked
 * for `UNSUPPORTED` characters: the caller knows that part). With `sync`, asked at every line the
 * scan stops at (before deciding it) with the line start and the state there, the scan stops as
 * soon as it answers an index ≥ 0: the caller knows that from there on, the text and the state are
 * those of an earlier scan at the start of its block `index`, so the rest is cut as it was. A block
 * open at that point ends there.
 */
export function scanConfigBlocks(
  text: string,
  from?: ScanResume,
  sync?: (at: number, state: number) => number,
): ScanResult | undefined {
  if (!from && UNSUPPORTED.test(text)) return undefined;
  const layout: ScanResult = { starts: [], ends: [], kinds: [], states: [] };
  let state: ScanState = 'preamble';
  let itemIndent = -1;
  let sawModules = false;
  if (from) {
    state = STATES[from.state & 3]!;
    sawModules = (from.state & 4) !== 0;
    itemIndent = Math.floor(from.state / 8) - 1;
  }
  let blockStart = -1;
  let blockKind: ConfigBlock['kind'] = 'section';
  let blockState = 0;
  const close = (end: number) => {
    if (blockStart >= 0) {
      layout.starts.push(blockStart);
      layout.ends.push(end);
      layout.kinds.push(blockKind);
      layout.states.push(blockState);
    }
    blockStart = -1;
  };
  const open = (kind: ConfigBlock['kind'], start: number, before: number) => {
    blockKind = kind;
    blockStart = start;
    blockState = before;
  };

  // Inside a section only a line at column 0 can end it, inside `modules` only one indented no
  // deeper than the items; these jump over every other line (blank and comment lines included).
  const sectionSkip = /\n(?=[^ \n#])/g;
  const itemSkipFor = (indent: number) => new RegExp(`\\n(?! {${indent + 1}})(?! *(?:#|\\n|$))`, 'g');
  let itemSkip = state === 'modules' ? itemSkipFor(itemIndent) : sectionSkip;
  for (let lineStart = from?.at ?? 0; lineStart < text.length; ) {
    const before = _encode(state, itemIndent, sawModules);
    if (sync) {
      const index = sync(lineStart, before);
      if (index >= 0) {
        close(lineStart);
        layout.synced = { at: lineStart, index };
        return layout;
      }
    }
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
      itemSkip = itemSkipFor(itemIndent);
      state = 'modules';
      open('module', lineStart, before);
    } else if (state === 'modules' && indent === itemIndent && item) {
      close(lineStart);
      open('module', lineStart, before);
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
        open('section', lineStart, before);
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
  if (state === 'modules-header' || (layout.starts.length === 0 && blockStart < 0)) return undefined;
  close(text.length);
  return layout;
}

/** A layout cut again from an earlier one (`rescanConfigBlocks`), and which parts were kept. */
export interface Rescan {
  layout: BlockLayout;
  /** The first `kept` blocks are the earlier layout's first ones. */
  kept: number;
  /** Blocks `kept` to `kept + scanned - 1` were scanned again. */
  scanned: number;
  /** The rest are the earlier layout's blocks from `synced` on, moved by the change in length. */
  synced: number;
}

/**
 * The layout of `text` (what `scanConfigBlocks(text)` gives), from the layout of an earlier text
 * `old`, scanning only around what differs: the blocks whose first line (newline included) lies
 * before the first character that differs are kept but the last of them, where the scan resumes in
 * the state the earlier scan had there; it stops at the first block start inside the common end
 * where its state is the one the earlier scan had at that block, and from there the blocks are the
 * earlier ones, moved. The differing part is checked for `UNSUPPORTED` characters (the rest was,
 * in `old`). Undefined when no block's first line lies before the difference, or the scan finds
 * the text outside the subset: the caller then scans the text whole.
 */
export function rescanConfigBlocks(old: string, layout: BlockLayout, text: string): Rescan | undefined {
  const { starts, ends, kinds, states } = layout;
  const prefix = _commonPrefix(old, text);
  const suffix = _commonSuffix(old, text, Math.min(old.length, text.length) - prefix);
  const changedEnd = text.length - suffix;
  if (hasUnsupported(text, prefix, changedEnd)) return undefined;
  let r = _lastBefore(starts, prefix);
  while (r >= 0) {
    const newline = old.indexOf('\n', starts[r]);
    if (newline >= 0 && newline < prefix) break;
    r--;
  }
  if (r < 0) return undefined;
  const shift = text.length - old.length;
  let k = r + 1;
  const scan = scanConfigBlocks(text, { at: starts[r]!, state: states[r]! }, (at, state) => {
    if (at < changedEnd) return -1;
    const oldAt = at - shift;
    while (k < starts.length && starts[k]! < oldAt) k++;
    return k < starts.length && starts[k] === oldAt && states[k] === state ? k : -1;
  });
  if (!scan) return undefined;
  const synced = scan.synced?.index ?? starts.length;
  const cut: BlockLayout = {
    starts: starts.slice(0, r).concat(scan.starts),
    ends: ends.slice(0, r).concat(scan.ends),
    kinds: kinds.slice(0, r).concat(scan.kinds),
    states: states.slice(0, r).concat(scan.states),
  };
  for (let j = synced; j < starts.length; j++) {
    cut.starts.push(starts[j]! + shift);
    cut.ends.push(ends[j]! + shift);
    cut.kinds.push(kinds[j]!);
    cut.states.push(states[j]!);
  }
  return { layout: cut, kept: r, scanned: scan.starts.length, synced };
}

/** Chunks compared at once before the characters of the one that differs (equal slices: a memcmp). */
const COMPARE_CHUNK = 4096;

/** How many first characters `a` and `b` share. */
function _commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i + COMPARE_CHUNK <= n && a.slice(i, i + COMPARE_CHUNK) === b.slice(i, i + COMPARE_CHUNK)) {
    i += COMPARE_CHUNK;
  }
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** How many last characters `a` and `b` share, at most `max`. */
function _commonSuffix(a: string, b: string, max: number): number {
  let i = 0;
  while (
    i + COMPARE_CHUNK <= max &&
    a.slice(a.length - i - COMPARE_CHUNK, a.length - i) ===
      b.slice(b.length - i - COMPARE_CHUNK, b.length - i)
  ) {
    i += COMPARE_CHUNK;
  }
  while (i < max && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}

/** The index of the last of the ascending `starts` below `limit`, or -1. */
function _lastBefore(starts: readonly number[], limit: number): number {
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (starts[mid]! < limit) low = mid + 1;
    else high = mid;
  }
  return low - 1;
}

/** A letter, digit, `_` or `$`: the start of a plain key that is no YAML indicator. */
function _isKeyStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;
}
