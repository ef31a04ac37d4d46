import type { Document } from 'yaml';
import { errorMessage } from './error-message.js';
import { ConfigParseError } from './errors.js';
import { findJsonValueProblem } from './json-value.js';
import { checkDocumentSize, MAX_NESTING } from './limits.js';
import { findExcessiveNesting } from './nesting.js';
import { isPlainObject } from './plain-object.js';
import type { AppConfig } from './types.js';
import { parseYamlDocument } from './yaml-document.js';

/** What every parser is told about the text it parses. */
export interface ParseContext {
  /** Used in error messages: `config.yaml:12:3: …`. */
  filename: string;
  /**
   * Larger texts (in UTF-8 bytes) are refused with a `ConfigParseError` naming both sizes.
   * @defaultValue `MAX_DOCUMENT_BYTES` (1 MiB)
   */
  maxDocumentBytes?: number;
  /**
   * The text is an overlay layer: a module may leave out `type`, since it edits the module of that
   * name below it (see `mergeConfigs`). @defaultValue false
   */
  overlay?: boolean;
}

/**
 * A pluggable text → value step (e.g. js-yaml's `load`). Whatever it returns still goes through
 * `toAppConfig`'s structural checks. Throw on bad input; a `ConfigParseError` is passed through.
 */
export type ConfigParser = (text: string, ctx: ParseContext) => unknown;

/** A 1-based position in the text. */
export interface TextPosition {
  line: number;
  column: number;
}

/** Finds where the value at `path` (e.g. `['modules', 2, 'name']`) sits in the text, when known. */
export type Locate = (path: readonly (string | number)[]) => TextPosition | undefined;

export interface ToAppConfigContext extends ParseContext {
  /** Lets structural errors carry a line and column. Without it they carry line 0. */
  locate?: Locate;
}

/**
 * YAML or JSON text → a checked `AppConfig`. JSON text (first non-space character `{`) takes a
 * `JSON.parse` fast path; anything else, or JSON that fails or holds what the YAML checks refuse,
 * goes through `yaml` so errors get positions. Throws `ConfigParseError` with `file`, `line`,
 * `column` and a one-line message. The limits (size, nesting, aliases) and the checks for
 * JSON-compatible values are those of `parseYamlDocument`. Synchronous: for large texts in a
 * service, `parseConfigAsync` keeps the event loop free.
 *
 * The JSON fast path inherits `JSON.parse`'s rule for repeated object keys (the last one wins);
 * YAML text rejects them.
 */
export function parseConfig(text: string, ctx: ParseContext): AppConfig {
  checkDocumentSize(Buffer.byteLength(text), ctx);
  const json = tryJson(text);
  if (json.ok) {
    try {
      return toAppConfig(json.value, ctx);
    } catch {
      // Re-parse as YAML below: same data, and the error then carries a line and column.
    }
  }
  const { value, locate } = _parseYaml(text, ctx);
  return toAppConfig(value, { ...ctx, locate });
}

/** The text → value step of `parseConfig`, without the structural checks. */
export function parseText(text: string, ctx: ParseContext): unknown {
  checkDocumentSize(Buffer.byteLength(text), ctx);
  const json = tryJson(text);
  return json.ok ? json.value : _parseYaml(text, ctx).value;
}

/**
 * Checks that a parsed value has the shape of an `AppConfig` and returns it (the same object; it is
 * never modified). Throws `ConfigParseError` naming the first problem and, with `locate`, its position.
 */
export function toAppConfig(value: unknown, ctx: ToAppConfigContext): AppConfig {
  return _checkConfig(value, ctx, undefined);
}

/**
 * `toAppConfig` for a config assembled from blocks, where `checked[i]` says that `modules[i]` is a
 * module object that passed these very checks before, under the same context (a module block
 * reused from the last parse): of such a module only the name is looked at, for uniqueness; with
 * `namesUnique` (the caller knows the module names unique) not even that. The verdict is
 * `toAppConfig`'s, since each module's checks depend on that module alone (and `ctx.overlay`), and
 * configs are read-only.
 */
export function toAppConfigChecked(
  value: unknown,
  ctx: ToAppConfigContext,
  checked: readonly boolean[],
  namesUnique = false,
): AppConfig {
  return _checkConfig(value, ctx, checked, namesUnique);
}

function _checkConfig(
  value: unknown,
  ctx: ToAppConfigContext,
  checked: readonly boolean[] | undefined,
  namesUnique = false,
): AppConfig {
  const fail = (reason: string, path: readonly (string | number)[] = []): never => {
    throw new ConfigParseError(reason, { file: ctx.filename, ..._position(ctx.locate, path) });
  };

  if (value === null || value === undefined) {
    fail('the top level is empty (null); expected a mapping with a `modules` list');
  }
  if (!isPlainObject(value)) {
    fail(`the top level must be a mapping with a \`modules\` list, not ${_describe(value)}`);
  }
  const config = value as Record<string, unknown>;
  if (config.modules === undefined) fail('missing `modules`: add `modules: []` or a list of modules');
  const modules = config.modules;
  if (!Array.isArray(modules)) fail(`\`modules\` must be a list, not ${_describe(modules)}`, ['modules']);

  const firstIndexByName = new Map<string, number>();
  const list = modules as unknown[];
  for (let i = 0; i < list.length; i++) {
    const module = list[i];
    const trusted = checked?.[i] === true;
    if (trusted && namesUnique) continue;
    if (!trusted) _checkModuleFields(module, i, ctx, fail);
    if (namesUnique) {
      _checkModuleMembers(module as Record<string, unknown>, i, fail);
      continue;
    }
    const name = (module as { name: string }).name;
    const first = firstIndexByName.get(name);
    if (first !== undefined) {
      const firstPos = _position(ctx.locate, ['modules', first, 'name']);
      const where = firstPos.line ? `line ${firstPos.line}` : `modules[${first}]`;
      fail(`duplicate module name "${name}" (first defined at ${where}); module names must be unique`, [
        'modules',
        i,
        'name',
      ]);
    }
    firstIndexByName.set(name, i);
    if (!trusted) _checkModuleMembers(module as Record<string, unknown>, i, fail);
  }
  return config as AppConfig;
}

type Fail = (reason: string, path?: readonly (string | number)[]) => never;

/** A module's shape, `name` and `type` (checked before its name's uniqueness). */
function _checkModuleFields(module: unknown, i: number, ctx: ToAppConfigContext, fail: Fail): void {
  const at = ['modules', i] as const;
  const label = `modules[${i}]`;
  if (!isPlainObject(module)) fail(`${label} must be a mapping, not ${_describe(module)}`, at);
  const m = module as Record<string, unknown>;
  for (const field of ['name', 'type'] as const) {
    const v = m[field];
    if (field === 'type' && v === undefined && ctx.overlay) continue;
    if (typeof v !== 'string' || v.trim() === '') {
      const problem = v === undefined ? 'is missing' : `must be a non-empty string, not ${_describe(v)}`;
      fail(`${label}: \`${field}\` ${problem}`, v === undefined ? at : [...at, field]);
    }
  }
}

/** A module's `config` and `dependsOn` (checked after its name's uniqueness). */
function _checkModuleMembers(m: Record<string, unknown>, i: number, fail: Fail): void {
  const at = ['modules', i] as const;
  const name = m.name as string;
  if (m.config !== undefined && !isPlainObject(m.config)) {
    fail(`module "${name}": \`config\` must be a mapping, not ${_describe(m.config)}`, [...at, 'config']);
  }
  if (m.dependsOn !== undefined) {
    const deps = m.dependsOn;
    if (!Array.isArray(deps)) {
      fail(`module "${name}": \`dependsOn\` must be a list of module names, not ${_describe(deps)}`, [
        ...at,
        'dependsOn',
      ]);
    }
    (deps as unknown[]).forEach((dep, j) => {
      if (typeof dep !== 'string') {
        fail(`module "${name}": \`dependsOn[${j}]\` must be a module name, not ${_describe(dep)}`, [
          ...at,
          'dependsOn',
          j,
        ]);
      }
    });
  }
}

/**
 * Runs `parse` (or `parseConfig` when none is given) and the structural checks. What a custom parser
 * throws becomes a `ConfigParseError` (with the position from yaml's `linePos` or js-yaml's `mark`).
 * The size limit applies before it runs, and a cheap scan refuses deep flow nesting (`[[[…`) before
 * it can recurse; its result must then be JSON data within `MAX_NESTING` (a js-yaml `Date` or
 * `Buffer` is refused), reported by path, since a custom parser gives no positions.
 */
export function parseConfigWith(parse: ConfigParser | undefined, text: string, ctx: ParseContext): AppConfig {
  if (!parse) return parseConfig(text, ctx);
  checkDocumentSize(Buffer.byteLength(text), ctx);
  _guardFlowNesting(text, ctx);
  let value: unknown;
  try {
    value = parse(text, ctx);
  } catch (cause) {
    if (cause instanceof ConfigParseError) throw cause;
    const reason = cause instanceof Error ? cause.message.split('\n')[0] || cause.name : String(cause);
    throw new ConfigParseError(reason, { file: ctx.filename, ..._thrownPosition(cause) }, { cause });
  }
  const problem = findJsonValueProblem(value);
  if (problem) {
    const at = problem.path.length > 0 ? `${problem.path.join('.')}: ` : '';
    throw new ConfigParseError(`${at}${problem.reason}`, { file: ctx.filename });
  }
  return toAppConfig(value, ctx);
}

/** Refuses text with flow brackets nested deeper than `MAX_NESTING` before a custom parser recurses into it. */
function _guardFlowNesting(text: string, ctx: ParseContext): void {
  const excess = findExcessiveNesting(text);
  if (!excess) return;
  const before = text.slice(0, excess.offset);
  const line = before.split('\n').length;
  const column = excess.offset - before.lastIndexOf('\n');
  throw new ConfigParseError(`nesting deeper than ${MAX_NESTING} levels; flatten the config`, {
    file: ctx.filename,
    line,
    column,
  });
}

type JsonResult = { ok: true; value: unknown } | { ok: false };

/**
 * `JSON.parse`, when the text looks like JSON (its first character after a byte order mark and
 * spaces is `{`) and its value is JSON data within the limits; else not ok, and the YAML path parses
 * the text and reports the problem with its position. The one JSON test of the package: the
 * editor (`openConfigText`) keeps as JSON exactly the texts this reads as JSON.
 */
export function tryJson(text: string): JsonResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // JSON.parse rejects a BOM
  if (body.trimStart()[0] !== '{') return { ok: false };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false };
  }
  return findJsonValueProblem(value) ? { ok: false } : { ok: true, value };
}

function _parseYaml(text: string, ctx: ParseContext): { value: unknown; locate: Locate } {
  const { doc, position } = parseYamlDocument(text, ctx);
  if (doc.contents === null) throw emptyTextError(ctx.filename);
  const value = yamlValue(doc, ctx);
  const locate: Locate = (path) => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? position(node.range[0]) : undefined;
  };
  return { value, locate };
}

/** What a YAML text without content (empty, or comments only) is, as a config. */
export function emptyTextError(filename: string): ConfigParseError {
  return new ConfigParseError('the file is empty; expected a mapping with a `modules` list', {
    file: filename,
  });
}

/** The value of a document `parseYamlDocument` checked; what `yaml` might still throw is a `ConfigParseError`. */
export function yamlValue(doc: Document.Parsed, ctx: Pick<ParseContext, 'filename'>): unknown {
  try {
    return doc.toJS();
  } catch (cause) {
    // Bounded already (aliases, nesting); kept so that nothing yaml throws escapes as another error.
    throw new ConfigParseError(_lowerFirst(errorMessage(cause)), { file: ctx.filename });
  }
}

/** The position of `path`, or of its nearest located ancestor; line 0 when nothing is known. */
function _position(locate: Locate | undefined, path: readonly (string | number)[]): Partial<TextPosition> {
  if (!locate) return {};
  for (let n = path.length; n >= 0; n--) {
    const pos = locate(path.slice(0, n));
    if (pos) return pos;
  }
  return {};
}

function _describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a mapping';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no prototype'})`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function _lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** Positions that well-known YAML parsers attach to their errors, made 1-based. */
function _thrownPosition(error: unknown): Partial<TextPosition> {
  const e = error as { linePos?: { line: number; col: number }[]; mark?: { line: number; column: number } };
  const yamlPos = Array.isArray(e?.linePos) ? e.linePos[0] : undefined;
  if (yamlPos && typeof yamlPos.line === 'number') return { line: yamlPos.line, column: yamlPos.col };
  if (e?.mark && typeof e.mark.line === 'number') return { line: e.mark.line + 1, column: e.mark.column + 1 };
  return {};
}
