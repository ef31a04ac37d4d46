import {
  type AppConfig,
  type ConfigSnapshot,
  isSecretKey,
  type ModuleConfig,
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

/**
 * Most distinct secrets searched for in text (the newest snapshots' first). A config is at most
 * a few MiB, so this is only reached by one that is nearly all secrets; its values stay masked as
 * values regardless.
 */
export const MAX_SCRUBBED_SECRETS = 10_000;

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
  /** The secrets under secret keys of each module object (sources keep unchanged modules' objects). */
  readonly #moduleSecrets = new WeakMap<ModuleConfig, readonly string[]>();
  /** What `text` searches for: every secret, as is and JSON-escaped, longest first, in one pattern. */
  #needles: RegExp | undefined;

  constructor(opts: RedactorOptions = {}) {
    this.keyPattern = opts.keyPattern ?? SECRET_KEY_PATTERN;
    this.#minLength = opts.minScrubbedLength ?? MIN_SCRUBBED_LENGTH;
  }

  /**
   * Remembers the secret strings of a snapshot (the same config object twice counts once). Costs a
   * walk of the modules that changed since the last snapshot, not of the whole config.
   */
  learn(snapshot: Pick<ConfigSnapshot, 'config' | 'secretPaths'>): void {
    const { config } = snapshot;
    if (this.#learned.some((entry) => entry.config === config)) return;
    const found = new Set<string>();
    const add = (strings: Iterable<string>) => {
      for (const s of strings) found.add(s);
    };
    const { modules, ...sections } = config;
    const keyPattern = this.keyPattern;
    // Reference paths by module (`/modules/3/config/x` → module 3, `/config/x`); the rest are sections'.
    const byModule = new Map<number, string[]>();
    const sectionPaths: string[] = [];
    for (const pointer of snapshot.secretPaths ?? []) {
      const match = /^\/modules\/(\d+)(\/.*)$/.exec(pointer);
      if (match) byModule.set(Number(match[1]), [...(byModule.get(Number(match[1])) ?? []), match[2]!]);
      else sectionPaths.push(pointer);
    }
    if (isSecretKey('modules', keyPattern)) add(secretStrings({ modules }, { keyPattern }));
    else for (const module of modules) add(this.#secretsOf(module));
    for (const [index, secretPaths] of byModule)
      add(secretStrings(modules[index], { secretPaths, keyPattern: false }));
    add(secretStrings(sections, { secretPaths: sectionPaths, keyPattern }));
    const secrets = [...found].filter((s) => s.length >= this.#minLength);
    this.#learned.push({ config, secrets });
    if (this.#learned.length > REMEMBERED_SNAPSHOTS) this.#learned.shift();
    this.#needles = _pattern(this.#learned.toReversed().flatMap((entry) => entry.secrets));
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
    return this.#needles ? text.replace(this.#needles, SECRET_MASK) : text;
  }

  /**
   * `value` with every string scrubbed by `text` (a copy where something changed; the value itself
   * when nothing did). For results, reports and errors, whose messages may quote config values.
   */
  redactOutbound<T>(value: T, _channel: OutboundChannel): T {
    if (!this.#needles) return value;
    return this.#scrub(value, 0) as T;
  }

  /** True when some secret is known, i.e. when scrubbing can change anything. */
  get active(): boolean {
    return this.#needles !== undefined;
  }

  #secretsOf(module: ModuleConfig): readonly string[] {
    let secrets = this.#moduleSecrets.get(module);
    if (!secrets) {
      secrets = [...secretStrings(module, { keyPattern: this.keyPattern })];
      this.#moduleSecrets.set(module, secrets);
    }
    return secrets;
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

/**
 * One pattern matching each secret and its JSON-escaped form (as a log line or a reply body holds
 * it), longest first so a secret that contains another is masked whole. A literal alternation:
 * V8 scans a 1 MB text for 100 secrets in well under a millisecond, where a `replaceAll` per
 * secret took 70 ms.
 */
function _pattern(secrets: readonly string[]): RegExp | undefined {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (needles.size >= 2 * MAX_SCRUBBED_SECRETS) break;
    needles.add(secret);
    needles.add(JSON.stringify(secret).slice(1, -1));
  }
  if (needles.size === 0) return undefined;
  const sorted = [...needles].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'g');
}
