import {
  type AppConfig,
  type ConfigSnapshot,
  redactConfig,
  SECRET_KEY_PATTERN,
  SECRET_MASK,
  type SecretKeyPattern,
  secretStrings,
} from '@cfg/source';

/**
 * Where a value leaves this process: an HTTP reply, an SSE event, a log line, a fleet report in the
 * database. The web console only shows what the HTTP API sent it.
 */
export type OutboundChannel = 'http' | 'sse' | 'log' | 'fleet';

/**
 * Shortest secret searched for inside free text (messages, log lines, reply bodies). Shorter values
 * are still masked wherever they stand as a config value; inside text they would hit ordinary words
 * and numbers (`maxTokens: 100` makes "100" secret by its key) and leave it unreadable.
 */
export const MIN_SCRUBBED_LENGTH = 6;

/**
 * How many snapshots' secrets are searched for. A rotated secret stays searched for this many
 * changes after it left the config: a message about the old value can still be on its way.
 */
export const REMEMBERED_SNAPSHOTS = 16;

/** Deepest value `redactOutbound` walks; our own results and reports are a few levels deep. */
const MAX_DEPTH = 64;

export interface RedactorOptions {
  /** Keys whose values are secret. @defaultValue `SECRET_KEY_PATTERN` */
  keyPattern?: SecretKeyPattern;
  /** @defaultValue `MIN_SCRUBBED_LENGTH` */
  minScrubbedLength?: number;
}

/**
 * THE one place where values on their way out of the process are masked, shared by every channel:
 * configs are masked by structure (`config`: the snapshot's `secretPaths`, which came from
 * references, and everything under a secret-looking key), and free text — messages, issues, whole
 * reply bodies and log lines — by content (`text`, `redactOutbound`): every secret string of the
 * last `REMEMBERED_SNAPSHOTS` snapshots the server learned (`learn`, called for every snapshot
 * before it is applied, so a rejected config's secrets are known before its rejection is reported).
 * No token unmasks anything.
 */
export class Redactor {
  readonly keyPattern: SecretKeyPattern;
  readonly #minLength: number;
  /** Secret strings per learned snapshot, oldest first. */
  readonly #learned: { config: AppConfig; secrets: readonly string[] }[] = [];
  /** What `text` searches for, longest first; rebuilt after `learn` changed anything. */
  #needles: readonly string[] = [];

  constructor(opts: RedactorOptions = {}) {
    this.keyPattern = opts.keyPattern ?? SECRET_KEY_PATTERN;
    this.#minLength = opts.minScrubbedLength ?? MIN_SCRUBBED_LENGTH;
  }

  /** Remembers the secret strings of a snapshot (the same config object twice counts once). */
  learn(snapshot: Pick<ConfigSnapshot, 'config' | 'secretPaths'>): void {
    if (this.#learned.some((entry) => entry.config === snapshot.config)) return;
    const found = secretStrings(snapshot.config, {
      ...(snapshot.secretPaths ? { secretPaths: snapshot.secretPaths } : {}),
      keyPattern: this.keyPattern,
    });
    const secrets = [...found].filter((s) => s.length >= this.#minLength);
    this.#learned.push({ config: snapshot.config, secrets });
    if (this.#learned.length > REMEMBERED_SNAPSHOTS) this.#learned.shift();
    this.#needles = _needles(this.#learned.flatMap((entry) => entry.secrets));
  }

  /** A masked copy of a config or a part of it (`secretPaths` are pointers from the same root). */
  config<T>(value: T, secretPaths?: readonly string[]): T {
    const masked = redactConfig(value, {
      ...(secretPaths ? { secretPaths } : {}),
      keyPattern: this.keyPattern,
    });
    return this.redactOutbound(masked, 'http');
  }

  /** `text` with every known secret (as is, and as escaped inside a JSON string) replaced by the mask. */
  text(text: string): string {
    let scrubbed = text;
    for (const needle of this.#needles) {
      if (scrubbed.includes(needle)) scrubbed = scrubbed.replaceAll(needle, SECRET_MASK);
    }
    return scrubbed;
  }

  /**
   * `value` with every string scrubbed by `text` (a copy where something changed; the value itself
   * when nothing did). For results, reports and errors, whose messages may quote config values.
   */
  redactOutbound<T>(value: T, _channel: OutboundChannel): T {
    if (this.#needles.length === 0) return value;
    return this.#scrub(value, 0) as T;
  }

  /** True when some secret is known, i.e. when scrubbing can change anything. */
  get active(): boolean {
    return this.#needles.length > 0;
  }

  #scrub(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
    if (Array.isArray(value)) {
      const items = value.map((item) => this.#scrub(item, depth + 1));
      return items.some((item, i) => item !== value[i]) ? items : value;
    }
    if (Object.getPrototypeOf(value) !== Object.prototype) return value; // a Date, a Buffer: no text inside
    const record = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(record)) {
      const scrubbed = this.#scrub(record[key], depth + 1);
      if (scrubbed === record[key]) continue;
      copy ??= { ...record };
      // Defined, not assigned: a `__proto__` key from parsed JSON stays plain data.
      Object.defineProperty(copy, key, {
        value: scrubbed,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy ?? value;
  }
}

/** Each secret and its JSON-escaped form (as a log line or a reply body holds it), longest first. */
function _needles(secrets: readonly string[]): string[] {
  const needles = new Set<string>();
  for (const secret of secrets) {
    needles.add(secret);
    needles.add(JSON.stringify(secret).slice(1, -1));
  }
  return [...needles].sort((a, b) => b.length - a.length);
}
