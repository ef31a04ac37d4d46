import {
  ConfigParseError,
  isSecretKey,
  parseYamlDocument,
  SECRET_MASK,
  type SecretKeyPattern,
} from '@cfg/source';
import { isAlias, isCollection, isPair, isScalar, type Node, visit } from 'yaml';

/** A value that only points at secrets (`${file:/run/secrets/pw}`, `${env:DB_PASSWORD}`): shown as written. */
const ONLY_REFERENCES = /^(?:\$\{file:\/[^}]*\}|\$\{env:[A-Za-z0-9_]+\})+$/;

/** The mask as a YAML (and JSON) scalar: a bare `******` would be an alias. */
const MASK_SCALAR = JSON.stringify(SECRET_MASK);

export interface StoredTextMaskOptions {
  keyPattern: SecretKeyPattern;
  /** Names the text in nothing shown; passed to the parser. */
  filename: string;
  /** Texts over it are not parsed (nor shown, when they may hold a secret). */
  maxDocumentBytes: number;
}

/**
 * A stored text as `GET /api/v1/config/versions/:v` shows it. Texts keep references, not secrets,
 * but a value written literally under a secret-looking key (`password: hunter2`) is a secret all
 * the same: each such scalar — and everything under such a key, aliases followed — is replaced in
 * the text by `"******"`, leaving every other byte, comment and line as stored. A value made of
 * `${file:…}`/`${env:…}` references only is shown (it says where the secret is, not what); one with
 * a default (`${env:X:-dev}`) or literal text around it is masked. A text in which no key could
 * match is returned as is without parsing; one that may hold a secret but does not parse cannot
 * be masked, so its text is withheld (a comment says why).
 */
export function maskStoredText(text: string, opts: StoredTextMaskOptions): string {
  const { keyPattern } = opts;
  if (keyPattern === false || (keyPattern instanceof RegExp && !_mentions(keyPattern, text))) return text;
  let parsed: ReturnType<typeof parseYamlDocument>;
  try {
    parsed = parseYamlDocument(text, { filename: opts.filename, maxDocumentBytes: opts.maxDocumentBytes });
  } catch (error) {
    if (!(error instanceof ConfigParseError)) throw error;
    return `# cfg: this version does not parse (${_where(error)}), so values under secret keys cannot be told apart in it; its text is not shown.\n`;
  }
  const { doc } = parsed;
  const ranges = new Map<number, number>();
  const mask = (node: unknown): void => _collect(node, doc, ranges, new Set());
  visit(doc, {
    Pair(_key, pair) {
      if (!isPair(pair) || !isScalar(pair.key) || !isSecretKey(String(pair.key.value), keyPattern))
        return undefined;
      mask(pair.value);
      return visit.SKIP;
    },
  });
  let masked = text;
  for (const [start, end] of [...ranges].sort((a, b) => b[0] - a[0])) {
    const segment = masked.slice(start, end);
    const lineBreaks = /\s*$/.exec(segment)![0]; // a block scalar's range ends with its line break
    masked = `${masked.slice(0, start)}${MASK_SCALAR}${lineBreaks}${masked.slice(end)}`;
  }
  return masked;
}

/** How many masked texts `StoredTextMasker` keeps: the console's history view asks for the same few again and again. */
const CACHED_TEXTS = 32;

/**
 * `maskStoredText` with the texts it had to parse remembered by their hash (a stored version never
 * changes), so that opening the same versions again costs no parse.
 */
export class StoredTextMasker {
  readonly #opts: StoredTextMaskOptions;
  readonly #cache = new Map<string, string>();

  constructor(opts: StoredTextMaskOptions) {
    this.#opts = opts;
  }

  /** `text` masked; `hash` is its stored hash (`hashBytes(text)`). */
  mask(text: string, hash: string | null): string {
    const cached = hash === null ? undefined : this.#cache.get(hash);
    if (cached !== undefined) {
      this.#cache.delete(hash!);
      this.#cache.set(hash!, cached); // most recently used last
      return cached;
    }
    const masked = maskStoredText(text, this.#opts);
    if (hash !== null) {
      this.#cache.set(hash, masked);
      if (this.#cache.size > CACHED_TEXTS) this.#cache.delete(this.#cache.keys().next().value!);
    }
    return masked;
  }
}

/** Adds the source range of every secret scalar in `node` (aliases followed once each). */
function _collect(
  node: unknown,
  doc: Parameters<typeof visit>[0],
  ranges: Map<number, number>,
  followed: Set<unknown>,
): void {
  if (isAlias(node)) {
    if (followed.has(node)) return;
    followed.add(node);
    _collect(node.resolve(doc as never), doc, ranges, followed);
    return;
  }
  if (isScalar(node)) {
    if (node.value === null || node.range === undefined || node.range === null) return;
    if (typeof node.value === 'string' && ONLY_REFERENCES.test(node.value)) return;
    ranges.set(node.range[0], node.range[1]);
    return;
  }
  if (isCollection(node)) {
    for (const item of node.items as unknown[]) {
      if (isPair(item)) _collect(item.value as Node, doc, ranges, followed);
      else _collect(item, doc, ranges, followed);
    }
  }
}

/** Whether `text` contains anything the key pattern matches (keys are somewhere in it). */
function _mentions(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}

/** `line 3, column 7` of a parse error, never its message (which may quote the text). */
function _where(error: ConfigParseError): string {
  return error.line ? `line ${error.line}, column ${error.column}` : 'at its start';
}
