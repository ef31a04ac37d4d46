import { isAbsolute } from 'node:path';
import type { ReferenceTarget } from './types.js';

/** One `${…}` in a string value, parsed. */
export interface Reference {
  target: ReferenceTarget;
  /** `${env:NAME:-default}`: used when NAME is unset or empty. */
  fallback?: string;
  /** As written, `${` to `}`. */
  raw: string;
}

/** A string value cut into literal text (escapes already undone) and references. */
export type StringPart = string | Reference;

export type ParsedString =
  | { ok: true; parts: StringPart[]; references: number }
  | { ok: false; raw: string; reason: string };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// biome-ignore lint/suspicious/noTemplateCurlyInString: the reference syntax, not a template.
const FORMS = '${env:NAME}, ${env:NAME:-default} or ${file:/absolute/path}';

/** Whether a string or bytes may hold a reference or an escape at all: the cheap test before any walk. */
export function mayHoldReferences(text: string | Buffer): boolean {
  return text.includes('${');
}

/**
 * Cuts a string value into literal parts and references. Every `${` starts a reference, except
 * `$${`, which is a literal `${`. A reference ends at the first `}`; it cannot nest.
 */
export function parseReferenceString(value: string): ParsedString {
  const parts: StringPart[] = [];
  let references = 0;
  let literal = '';
  let from = 0;
  for (;;) {
    const at = value.indexOf('${', from);
    if (at === -1) break;
    if (at > 0 && value[at - 1] === '$') {
      // `$${`: the text up to the first `$`, then a literal `${`.
      literal += `${value.slice(from, at - 1)}\${`;
      from = at + 2;
      continue;
    }
    literal += value.slice(from, at);
    const end = value.indexOf('}', at + 2);
    if (end === -1) {
      return { ok: false, raw: value.slice(at), reason: `\`\${\` without a closing \`}\`; ${_hint()}` };
    }
    const raw = value.slice(at, end + 1);
    const parsed = _parseBody(value.slice(at + 2, end));
    if (typeof parsed === 'string') return { ok: false, raw, reason: parsed };
    if (literal) parts.push(literal);
    literal = '';
    parts.push({ ...parsed, raw });
    references++;
    from = end + 1;
  }
  literal += value.slice(from);
  if (literal) parts.push(literal);
  return { ok: true, parts, references };
}

/** The reference, or why the text between `${` and `}` is not one. */
function _parseBody(body: string): Omit<Reference, 'raw'> | string {
  const colon = body.indexOf(':');
  const scheme = colon === -1 ? '' : body.slice(0, colon);
  const rest = body.slice(colon + 1);
  if (body.includes('${')) return `a reference cannot contain another one; ${_hint()}`;
  if (scheme === 'env') {
    const dash = rest.indexOf(':-');
    const name = dash === -1 ? rest : rest.slice(0, dash);
    if (!ENV_NAME.test(name)) {
      return `\`${name}\` is not an environment variable name (letters, digits and _, not starting with a digit)`;
    }
    return dash === -1
      ? { target: { kind: 'env', name } }
      : { target: { kind: 'env', name }, fallback: rest.slice(dash + 2) };
  }
  if (scheme === 'file') {
    if (!isAbsolute(rest)) return `file references take an absolute path, not \`${rest}\``;
    return { target: { kind: 'file', path: rest } };
  }
  return `not a reference: write ${FORMS}; ${_hint()}`;
}

function _hint(): string {
  return 'for a literal `${` write `$${`';
}

/** A reference as messages show it: one line, at most 80 characters. */
export function shortReference(raw: string): string {
  const line = raw.replaceAll('\r', '\\r').replaceAll('\n', '\\n');
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
