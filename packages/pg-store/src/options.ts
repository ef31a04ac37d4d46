import type { Logger } from '@cfg/source';
import { assertIdentifier, quoteIdentifier } from './validate.js';

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
    ...userOpts,
    schema,
    quotedSchema: quoteIdentifier(schema),
    logger: userOpts.logger,
  };
  assertIdentifier('channel', opts.channel);
  assertIdentifier('fleetChannel', opts.fleetChannel);
  return Object.freeze(opts);
}
