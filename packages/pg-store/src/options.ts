import type { Logger } from '@cfg/source';
import { assertIdentifier, assertInteger, quoteIdentifier } from './validate.js';

/** PostgreSQL's largest `statement_timeout` / `lock_timeout`, in ms (a 32-bit integer). */
const MAX_TIMEOUT_MS = 2_147_483_647;

export interface PgConfigStoreOptions {
  /**
   * The schema that holds the store's tables; created by `migrate()`.
   * @defaultValue `'cfg'`
   */
  schema?: string;
  /**
   * The NOTIFY channel. Derived from the schema so two stores in one database never hear each other.
   * @defaultValue `` `${schema}_config_changed` `` (`'cfg_config_changed'`)
   */
  channel?: string;
  /**
   * The NOTIFY channel of fleet outcome reports (`reportOutcome`), heard by `subscribeFleet` and
   * `waitForRollout`. Derived from the schema like `channel`.
   * @defaultValue `` `${schema}_fleet` `` (`'cfg_fleet'`)
   */
  fleetChannel?: string;
  /**
   * First delay before re-connecting a dropped LISTEN connection, in ms; doubles per failed attempt.
   * @defaultValue `100`
   */
  reconnectDelayMs?: number;
  /**
   * Cap on the re-connect delay, in ms. Each delay is jittered to 50–100 % of its value.
   * @defaultValue `10_000`
   */
  maxReconnectDelayMs?: number;
  /**
   * Send the store's queries as named prepared statements (parsed and planned once per connection).
   * Turn off behind a pooler that does not support them, such as older PgBouncer in transaction mode.
   * @defaultValue `true`
   */
  preparedStatements?: boolean;
  /**
   * Longest one store statement may run, in ms: PostgreSQL's `statement_timeout`, set once on each
   * pool connection the store uses. Past it the statement is cancelled, its transaction rolled back
   * (a write stores nothing), and the call rejects with `StoreTimeoutError`. `0`: the store does not
   * set it (the connection's own setting applies).
   * @defaultValue `5_000`
   */
  statementTimeoutMs?: number;
  /**
   * Longest one store statement waits for a row or table lock, in ms: PostgreSQL's `lock_timeout`,
   * set like `statementTimeoutMs`. A write blocked by another transaction's lock gives up after it
   * with `StoreTimeoutError` and stores nothing. `0`: not set by the store.
   * @defaultValue `2_000`
   */
  lockTimeoutMs?: number;
  /**
   * Longest a store call waits for a pool connection (a free one, or a new one to open), in ms;
   * past it the call rejects with `StoreTimeoutError`. `0`: waits as long as the pool does.
   * @defaultValue `5_000`
   */
  connectTimeoutMs?: number;
  /** Told about LISTEN connection trouble and listener errors. */
  logger?: Logger;
}

/** Options after defaults, with the schema already validated and quoted for SQL. */
export interface ResolvedOptions {
  readonly schema: string;
  /** `"schema"`, ready to paste into SQL text. */
  readonly quotedSchema: string;
  readonly channel: string;
  readonly fleetChannel: string;
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly preparedStatements: boolean;
  readonly statementTimeoutMs: number;
  readonly lockTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly logger: Logger | undefined;
}

/** Resolves every default in one place, and validates the names that end up in SQL text. */
export function resolveOptions(userOpts: PgConfigStoreOptions = {}): ResolvedOptions {
  const schema = userOpts.schema ?? 'cfg';
  assertIdentifier('schema', schema);
  const opts = {
    channel: `${schema}_config_changed`,
    fleetChannel: `${schema}_fleet`,
    reconnectDelayMs: 100,
    maxReconnectDelayMs: 10_000,
    preparedStatements: true,
    statementTimeoutMs: 5_000,
    lockTimeoutMs: 2_000,
    connectTimeoutMs: 5_000,
    ...userOpts,
    schema,
    quotedSchema: quoteIdentifier(schema),
    logger: userOpts.logger,
  };
  assertIdentifier('channel', opts.channel);
  for (const name of ['statementTimeoutMs', 'lockTimeoutMs', 'connectTimeoutMs'] as const) {
    assertInteger(name, opts[name], 0);
    if (opts[name] > MAX_TIMEOUT_MS) throw new RangeError(`${name} must be at most ${MAX_TIMEOUT_MS}`);
  }
  assertIdentifier('fleetChannel', opts.fleetChannel);
  return Object.freeze(opts);
}
