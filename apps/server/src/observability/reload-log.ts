import type { ReloadResult } from '@cfg/reloader';
import { callSafely, type Logger } from '@cfg/source';

/** A reload result of bounded size, as the API shows it (`boundedResult`). */
export interface BoundedReloadResult extends ReloadResult {
  /** Set when `issues` holds only the first `MAX_RECORD_ISSUES`: how many there were. */
  issuesTotal?: number;
  /** Set when `modules` holds only the first `MAX_RECORD_MODULES`: how many there were. */
  modulesTotal?: number;
}

/** A reload result with its place in this process's sequence (the SSE event id). */
export interface ReloadRecord extends BoundedReloadResult {
  id: number;
}

/**
 * What one record keeps. A rejected change can carry tens of thousands of issues (20k took ~2 MB per
 * event, sent to every SSE client and kept 100 times over); the first ones say what is wrong, the
 * count says how much, and `cfg validate` on the file lists them all.
 */
export const MAX_RECORD_ISSUES = 20;
export const MAX_RECORD_MODULES = 100;
/** Longest message or path kept (one can quote config text, e.g. an unknown type a megabyte long). */
export const MAX_RECORD_TEXT = 1_000;

/**
 * The last `capacity` reload results (a ring buffer) and a fan-out to live subscribers (SSE).
 * A subscriber that throws is dropped from that delivery only; it never breaks the others.
 */
export class ReloadLog {
  readonly capacity: number;
  readonly #records: ReloadRecord[] = [];
  readonly #subscribers = new Set<(record: ReloadRecord) => void>();
  #nextId = 1;

  /** @param capacity how many results to keep @defaultValue 100 */
  constructor(capacity = 100) {
    this.capacity = capacity;
  }

  add(result: ReloadResult): ReloadRecord {
    const record: ReloadRecord = { ...boundedResult(result), id: this.#nextId++ };
    this.#records.push(record);
    if (this.#records.length > this.capacity) this.#records.shift();
    // A broken stream must not stop the reload path or the other streams.
    for (const subscriber of this.#subscribers) callSafely(() => subscriber(record), _ignore);
    return record;
  }

  /** Newest first. */
  list(): ReloadRecord[] {
    return [...this.#records].reverse();
  }

  /** Records after `id`, oldest first (to replay after an SSE reconnect with `Last-Event-ID`). */
  since(id: number): ReloadRecord[] {
    return this.#records.filter((r) => r.id > id);
  }

  subscribe(subscriber: (record: ReloadRecord) => void): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }
}

/**
 * `result` with at most the first `MAX_RECORD_ISSUES` issues and `MAX_RECORD_MODULES` modules (and
 * their counts), and every message cut at `MAX_RECORD_TEXT` characters.
 */
export function boundedResult(result: ReloadResult): BoundedReloadResult {
  const bounded: BoundedReloadResult = {
    ...result,
    modules: result.modules
      .slice(0, MAX_RECORD_MODULES)
      .map((m) => (m.error === undefined ? m : { ...m, error: _clip(m.error) })),
  };
  if (result.modules.length > MAX_RECORD_MODULES) bounded.modulesTotal = result.modules.length;
  if (result.issues) {
    bounded.issues = result.issues
      .slice(0, MAX_RECORD_ISSUES)
      .map((issue) => ({ ...issue, path: _clip(issue.path), message: _clip(issue.message) }));
    if (result.issues.length > MAX_RECORD_ISSUES) bounded.issuesTotal = result.issues.length;
  }
  if (result.error !== undefined) bounded.error = _clip(result.error);
  if (result.reason !== undefined) bounded.reason = _clip(result.reason);
  return bounded;
}

function _ignore(): void {}

function _clip(text: string): string {
  return text.length <= MAX_RECORD_TEXT
    ? text
    : `${text.slice(0, MAX_RECORD_TEXT)}… (${text.length} characters)`;
}

/** One line per reload: outcome, modules touched, ms, hash prefix, version. */
export function logReload(logger: Logger, result: ReloadResult): void {
  const modules = result.modules.map((m) => m.name);
  const facts = {
    outcome: result.outcome,
    modules,
    ms: Math.round(result.durationMs * 10) / 10,
    hash: result.toHash.slice(0, 12),
    version: result.version,
    source: result.source,
  };
  const touched = modules.length > 0 ? modules.join(', ') : 'no modules';
  const at = `${facts.ms} ms, hash ${facts.hash}${result.version === undefined ? '' : `, version ${result.version}`}`;
  if (result.outcome === 'rejected') {
    // Bounded like the API's records: 20k issues made one multi-megabyte log line per rejection.
    const { error, issues, issuesTotal } = boundedResult(result);
    logger.warn(
      { ...facts, errorCode: result.errorCode, error, issues, issuesTotal },
      `reload rejected (${at}): ${error}; still serving ${result.fromHash.slice(0, 12)}`,
    );
  } else {
    logger.info(facts, `reload ${result.outcome}: ${touched} (${at})`);
  }
}
