import type { SecretKeyPattern } from './config-types.js';
import { isSecretPath, redactByKey } from './redact.js';
import type { ConfigDiff, PathChange } from './types.js';

export interface FormatOptions {
  /** Longest rendering of one value; longer ones are cut and end with `…`. @defaultValue 60 */
  maxValueLength?: number;
  /**
   * For a diff that was not redacted: paths under a key matching `keyPattern` print no value, and
   * such keys inside values print the mask. A redacted diff (`secret: true` changes) needs nothing.
   * @defaultValue none
   */
  redact?: { keyPattern: SecretKeyPattern; mask?: string };
}

/**
 * One line for a CLI or a log: `replace /config/limits/rps: 100 -> 200`, `add /dependsOn/1: "db"`,
 * `remove /config/tls: {"cert":"a.pem"}`. Values are shown as JSON; the whole module is `(module)`.
 * A secret change prints no value: `replace /config/password: (secret changed)`, `add
 * /config/token: (secret)`.
 */
export function formatPathChange(change: PathChange, options?: FormatOptions): string {
  const opts = { maxValueLength: 60, ...options };
  const where = _where(change.path);
  const { redact } = opts;
  if (change.secret || (redact && isSecretPath(change.path, redact.keyPattern))) {
    return `${change.op} ${where}: (secret${change.op === 'replace' ? ' changed' : ''})`;
  }
  const show = (value: unknown) =>
    _show(
      redact ? redactByKey(value, change.path, redact.keyPattern, redact.mask) : value,
      opts.maxValueLength,
    );
  switch (change.op) {
    case 'add':
      return `add ${where}: ${show(change.next)}`;
    case 'remove':
      return `remove ${where}: ${show(change.previous)}`;
    case 'replace':
      return `replace ${where}: ${show(change.previous)} -> ${show(change.next)}`;
  }
}

/**
 * The whole diff, one line per fact, in the diff's own order: added modules (`+ module cache (redis)`),
 * removed ones (`- module old (http)`), one line per changed path of each modified module
 * (`~ module api: replace /config/limits/rps: 100 -> 200`), then changed sections (`~ section platform`).
 * An empty diff gives no lines.
 */
export function formatConfigDiff(diff: ConfigDiff, options?: FormatOptions): string[] {
  const { added, removed, modified } = diff.modules;
  return [
    ...added.map((module) => `+ module ${module.name} (${module.type})`),
    ...removed.map((module) => `- module ${module.name} (${module.type})`),
    ...modified.flatMap((change) =>
      change.paths.length === 0
        ? [`~ module ${change.name}`]
        : change.paths.map((path) => `~ module ${change.name}: ${formatPathChange(path, options)}`),
    ),
    ...diff.sections.map((section) => `~ section ${section}`),
  ];
}

function _show(value: unknown, maxLength: number): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value); // BigInt or a cycle: not JSON, still printable.
  }
  return text.length > maxLength ? `${text.slice(0, Math.max(0, maxLength - 1))}…` : text;
}

// Keep the promise of one line even for keys that contain line breaks.
function _where(path: string): string {
  if (path === '') return '(module)';
  return path.includes('\n') || path.includes('\r') ? JSON.stringify(path) : path;
}
