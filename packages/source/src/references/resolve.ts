import { formatBytes } from '../limits.js';
import type { AppConfig } from '../types.js';
import { digestValues } from './digest.js';
import {
  type FoundReferences,
  findReferences,
  MAX_PROBLEMS,
  type ReferenceSite,
  type SiteProblem,
} from './find.js';
import { locateProblems } from './locate.js';
import { type ReferenceOptions, type ResolvedReferenceOptions, resolveReferenceOptions } from './options.js';
import { type ReadMode, readTargets, type TargetState, targetKey } from './read-targets.js';
import { ConfigReferenceError } from './reference-error.js';
import { shortReference } from './syntax.js';
import { REFERENCE_PROBLEM_CODES as CODES, type ReferenceProblem, type ReferenceTarget } from './types.js';
import { withStrings } from './with-strings.js';

/** Where a config came from, for the hash, the messages and the positions. */
export interface ReferenceContext {
  /** Hash of the text the config was parsed from (`hashBytes(text)`); the resolved hash builds on it. */
  textHash: string;
  /** Names the text in messages, e.g. a path or `database:<key>`. */
  filename: string;
  /** The text itself, for the position of a problem; read only when there is one. */
  text?: string | (() => string);
  signal?: AbortSignal;
}

export interface ResolveReferencesOptions extends ReferenceOptions, ReferenceContext {}

/** A config with its references replaced by their values, and what a snapshot says about them. */
export interface ResolvedReferences<C extends AppConfig = AppConfig> {
  /** A copy where strings were rewritten (shares every untouched object with the input); the input when none were. */
  config: C;
  /** `textHash` when nothing was read; else a keyed digest of `textHash` and every value read. */
  hash: string;
  /** JSON Pointers of the strings that took a value from a reference, in document order. */
  secretPaths: string[];
  /** What was read: each target once, sorted. */
  references: ReferenceTarget[];
}

/**
 * Replaces every `${env:…}` / `${file:…}` reference in `config`'s strings by its value and every
 * `$${` by `${`, reading each variable and each file once. The input is not modified. Throws
 * `ConfigReferenceError` (a `ConfigParseError`, `CFG_PARSE`) naming the first problem at its
 * position in `text`, after looking at all of them. This is the step every source applies after
 * parsing when given `references`; a server applies it to a text it is about to store and serve,
 * so that its hash equals the one its source will compute.
 */
export function resolveReferences<C extends AppConfig>(
  config: C,
  opts: ResolveReferencesOptions,
): Promise<ResolvedReferences<C>> {
  return resolveFound(config, findReferences(config), resolveReferenceOptions(opts), opts);
}

/**
 * Every problem the references in `config` have under `opts` (at most `MAX_PROBLEMS`), with
 * positions when `text` is given; `[]` when they would all resolve. The same rules as a load
 * (syntax, allowed variables and directories, `..` and symlinks, size and count limits), but no
 * file content is read and no value is returned: for refusing a write whose references would fail.
 */
export async function checkReferences(
  config: AppConfig,
  opts: ReferenceOptions & Omit<ReferenceContext, 'textHash'>,
): Promise<ReferenceProblem[]> {
  const resolved = resolveReferenceOptions(opts);
  const found = findReferences(config);
  const { problems } = await _evaluate(found, resolved, 'check', opts.signal);
  return locateProblems(problems, opts.text, opts.filename);
}

/** `resolveReferences` for references already found (a source keeps them per text). */
export async function resolveFound<C extends AppConfig>(
  config: C,
  found: FoundReferences,
  opts: ResolvedReferenceOptions,
  ctx: ReferenceContext,
): Promise<ResolvedReferences<C>> {
  if (found.sites.length === 0 && found.problems.length === 0) {
    return { config, hash: ctx.textHash, secretPaths: [], references: [] };
  }
  const { problems, values, states } = await _evaluate(found, opts, 'read', ctx.signal);
  if (problems.length > 0) {
    throw new ConfigReferenceError(locateProblems(problems, ctx.text, ctx.filename), ctx.filename);
  }
  const { sites, targets } = found;
  return {
    config: withStrings(config, sites, values),
    hash: targets.length === 0 ? ctx.textHash : digestValues(ctx.textHash, targets, states),
    secretPaths: sites.filter((site) => site.references > 0).map((site) => site.pointer),
    references: targets,
  };
}

/** The hash a load would give the same text now: values read again, nothing substituted. */
export async function hashFound(
  found: FoundReferences,
  opts: ResolvedReferenceOptions,
  textHash: string,
  signal?: AbortSignal,
): Promise<string> {
  if (found.targets.length === 0) return textHash;
  return digestValues(textHash, found.targets, await readTargets(found.targets, opts, 'read', signal));
}

interface Evaluation {
  problems: SiteProblem[];
  /** The new text of each site, in `sites` order (read mode, when there are no problems). */
  values: string[];
  states: Map<string, TargetState>;
}

/** Syntax, the file count limit, every target's state, then each site's new text and the size limit. */
async function _evaluate(
  found: FoundReferences,
  opts: ResolvedReferenceOptions,
  mode: ReadMode,
  signal?: AbortSignal,
): Promise<Evaluation> {
  const problems = [...found.problems];
  const tooMany = _pastFileLimit(found.sites, opts.maxFiles);
  if (tooMany)
    return { problems: [...problems, tooMany].slice(0, MAX_PROBLEMS), values: [], states: new Map() };
  const states = await readTargets(found.targets, opts, mode, signal);
  const values: string[] = [];
  let resolvedBytes = 0;
  for (const site of found.sites) {
    let text = '';
    for (const part of site.parts) {
      if (typeof part === 'string') {
        text += part;
        continue;
      }
      const outcome = _valueOf(part.target, part.fallback, states);
      if (typeof outcome === 'string') {
        text += outcome;
        resolvedBytes += Buffer.byteLength(outcome);
        if (resolvedBytes > opts.maxResolvedBytes) {
          const message = `references put more than ${formatBytes(opts.maxResolvedBytes)} into the config (references.maxResolvedBytes)`;
          problems.push(_problem(site, part.raw, CODES.CFG_REF_LIMIT, message));
          return { problems: problems.slice(0, MAX_PROBLEMS), values, states };
        }
      } else if (outcome && problems.length < MAX_PROBLEMS) {
        problems.push(_problem(site, part.raw, outcome.code, outcome.message));
      }
    }
    values.push(text);
  }
  return { problems, values, states };
}

/** A value; `undefined` for a file seen in check mode; or the problem. */
function _valueOf(
  target: ReferenceTarget,
  fallback: string | undefined,
  states: ReadonlyMap<string, TargetState>,
): string | undefined | { code: ReferenceProblem['code']; message: string } {
  const state = states.get(targetKey(target))!;
  switch (state.kind) {
    case 'value':
      return state.value === '' && fallback !== undefined ? fallback : state.value;
    case 'present':
      return undefined;
    case 'problem':
      return state;
    case 'unset':
      if (fallback !== undefined) return fallback;
      return {
        code: CODES.CFG_REF_ENV_UNSET,
        message: `environment variable ${(target as { name: string }).name} is not set (set it, or give a default: \${env:NAME:-default})`,
      };
  }
}

/** The site that references one file more than `maxFiles` allows, as a problem. */
function _pastFileLimit(sites: readonly ReferenceSite[], maxFiles: number): SiteProblem | undefined {
  const files = new Set<string>();
  for (const site of sites) {
    for (const part of site.parts) {
      if (typeof part === 'string' || part.target.kind !== 'file') continue;
      files.add(part.target.path);
      if (files.size > maxFiles) {
        const message = `the config references more than ${maxFiles} files (references.maxFiles)`;
        return _problem(site, part.raw, CODES.CFG_REF_LIMIT, message);
      }
    }
  }
  return undefined;
}

function _problem(
  site: ReferenceSite,
  raw: string,
  code: ReferenceProblem['code'],
  message: string,
): SiteProblem {
  return { code, pointer: site.pointer, reference: shortReference(raw), message, path: site.path };
}
