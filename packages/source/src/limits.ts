import { ConfigParseError } from './errors.js';

/**
 * The largest config document accepted from any input (a file, a stored document, a push, a seed,
 * the result of an API write), in bytes of UTF-8: 1 MiB. It is the size of a Kubernetes ConfigMap,
 * so every config that can be mounted from one fits, and about five times the 1,000-module example
 * (211 KB). What it bounds is the parse: `yaml` takes ~0.3 s and ~45 MB of heap for 1 MiB of
 * typical YAML on a 2-core machine, but up to ~2 s and ~600 MB for 1 MiB of tiny flow items
 * (`[0,0,0,…]`), and both grow linearly with the size. Raise it per source (`maxDocumentBytes`) or
 * with `cfg serve --max-document-bytes`.
 */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

/**
 * The deepest nesting of mappings and lists in a config, counting the top level: `{a: [1]}` is 2.
 * One limit for every input and style (block, flow, JSON, what aliases expand to, an API body in
 * its place in the document). Real configs stay under ten; a module's `config` starts at level 4.
 * It exists because `yaml` and every later step (merges, diffs, `openConfigText`) recurse per level,
 * and after one stack overflow inside `yaml` a second, deeper text aborted the whole Node process
 * ("RegExpCompiler Allocation failed", yaml 2.9.1, Node 20).
 */
export const MAX_NESTING = 64;

/**
 * How many times larger than its text a document's resolved value may be, when it uses aliases:
 * `*anchor` copies a whole node, so 5.8 MB of text once resolved to 550 MB, and every reply that
 * serialised it failed (`RangeError: Invalid string length`). The resolved value is also capped at
 * the document limit.
 */
export const MAX_ALIAS_EXPANSION = 10;

/** What the size checks are told: the name for messages, and the limit when it is not the default. */
export interface SizeContext {
  filename: string;
  /** @defaultValue `MAX_DOCUMENT_BYTES` */
  maxDocumentBytes?: number;
}

/** Throws the `ConfigParseError` of a document of `bytes` bytes over the limit; returns otherwise. */
export function checkDocumentSize(bytes: number, ctx: SizeContext): void {
  const limit = ctx.maxDocumentBytes ?? MAX_DOCUMENT_BYTES;
  if (bytes <= limit) return;
  throw new ConfigParseError(
    `the document is ${formatBytes(bytes)}, over the limit of ${formatBytes(limit)} (maxDocumentBytes); split the config or raise the limit`,
    { file: ctx.filename },
  );
}

/** `1,048,577 bytes`: exact, so a message names the very numbers that were compared. */
export function formatBytes(n: number): string {
  return `${n.toLocaleString('en')} bytes`;
}
