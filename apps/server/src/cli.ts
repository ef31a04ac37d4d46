#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandResult } from './commands/validate.js';
import { UsageError } from './serve/options.js';

// Commands are imported when run, so `cfg validate` never loads fastify, pg or chokidar.

const integer = (min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
  return n;
};

/** Options every command that talks to the database shares. */
function databaseOptions(command: Command): Command {
  return command
    .addOption(new Option('--database-url <url>', 'PostgreSQL connection string').env('CFG_DATABASE_URL'))
    .addOption(
      new Option('--db-schema <name>', 'schema holding the config tables')
        .env('CFG_DB_SCHEMA')
        .default('cfg'),
    )
    .addOption(
      new Option('--data-dir <dir>', 'embedded PostgreSQL data directory (used when no --database-url)')
        .env('CFG_DATA_DIR')
        .default('.data/pg'),
    );
}

const program = new Command()
  .name('cfg')
  .description(
    'The @cfg reference server: a small module engine whose config hot-reloads from a file, PostgreSQL or the HTTP API.',
  )
  .showHelpAfterError();

program
  .command('serve')
  .description(
    'Run the server. Modes: a file (--config), a stored document (--database-url/--store embedded, --key), or a file plus a stored overlay (--overlay-key).',
  )
  .addOption(
    new Option('--port <number>', 'HTTP port; 0 picks a free one')
      .env('CFG_PORT')
      .default(8080)
      .argParser(integer(0)),
  )
  .addOption(new Option('--host <host>', 'interface to listen on').env('CFG_HOST').default('127.0.0.1'))
  .addOption(
    new Option(
      '--config <file>',
      'YAML/JSON config file (file mode; base in overlay mode; seed in database mode)',
    ).env('CFG_CONFIG'),
  )
  .addOption(
    new Option('--watch', 'reload when the config file changes (env: any value)')
      .env('CFG_WATCH')
      .default(false),
  )
  .addOption(
    new Option(
      '--store <kind>',
      'database: "embedded" (PostgreSQL in --data-dir), "none", or a postgres:// URL',
    )
      .env('CFG_STORE')
      .default('none'),
  )
  .addOption(
    new Option('--key <key>', 'stored document holding the whole config (database mode)')
      .env('CFG_KEY')
      .default('default'),
  )
  .addOption(
    new Option(
      '--overlay-key <key>',
      'stored overlay on top of --config; API writes and rollbacks go there',
    ).env('CFG_OVERLAY_KEY'),
  )
  .addOption(
    new Option('--embedded-port <number>', 'port of the embedded PostgreSQL')
      .env('CFG_EMBEDDED_PORT')
      .default(54329)
      .argParser(integer(1)),
  )
  .addOption(
    new Option('--poll-interval-ms <ms>', 'database check interval, the safety net behind LISTEN/NOTIFY')
      .env('CFG_POLL_INTERVAL_MS')
      .default(5000)
      .argParser(integer(1)),
  )
  .addOption(
    new Option(
      '--no-notify',
      'ignore PostgreSQL NOTIFY and find database changes by polling alone (env: any value)',
    ).env('CFG_NO_NOTIFY'),
  )
  .addOption(
    new Option('--tokens-file <file>', 'YAML/JSON: tokens: [{ name, role: admin|read, token }]').env(
      'CFG_TOKENS_FILE',
    ),
  )
  .addOption(
    new Option('--max-connections <n>', 'open TCP connections at most; past it new ones are refused')
      .env('CFG_MAX_CONNECTIONS')
      .default(512)
      .argParser(integer(1)),
  )
  .addOption(
    new Option('--max-sse-clients <n>', 'open GET /api/v1/events streams at most; past it 503')
      .env('CFG_MAX_SSE_CLIENTS')
      .default(100)
      .argParser(integer(1)),
  )
  .addOption(
    new Option('--request-timeout-ms <ms>', 'a request (headers and body) must arrive within this, else 408')
      .env('CFG_REQUEST_TIMEOUT_MS')
      .default(30_000)
      .argParser(integer(1)),
  )
  .addOption(new Option('--log-level <level>', 'pino level').env('CFG_LOG_LEVEL').default('info'))
  .addOption(
    new Option('--log-format <format>', 'default: pretty on a terminal, else json')
      .env('CFG_LOG_FORMAT')
      .choices(['json', 'pretty']),
  )
  .addHelpText(
    'after',
    `
Bearer tokens come from the environment (never flags, which other users can read in ps):
  CFG_ADMIN_TOKEN  read and write     CFG_READ_TOKEN  read only
With neither and no --tokens-file, an admin token is generated and printed once.

Examples:
  cfg serve --config examples/config.yaml --watch                      # file mode
  cfg serve --database-url postgres://localhost/app --key default      # database mode
  cfg serve --config examples/config.yaml --watch --store embedded --overlay-key overlay   # pnpm start`,
  );
databaseOptions(program.commands.at(-1)!).action(async (opts) =>
  (await import('./commands/serve.js')).serveCommand(opts),
);

program
  .command('validate <file>')
  .description(
    'Check a config file as the server would; prints file:line:col for each problem, exit 1 if any.',
  )
  .action(async (file: string) =>
    finish(await (await import('./commands/validate.js')).validateCommand(file)),
  );

program
  .command('diff <a> <b>')
  .description('Show which modules and sections differ between two config files (exit 1 when they differ).')
  .option('--json', 'print the diff as JSON')
  .action(async (a: string, b: string, opts: { json?: boolean }) =>
    finish(await (await import('./commands/diff.js')).diffCommand(a, b, opts)),
  );

databaseOptions(
  program
    .command('push <file>')
    .description('Store a config file as the next version of a document (text kept as written).')
    .requiredOption('--key <key>', 'document key, e.g. default or overlay')
    .option('--message <text>', 'why, recorded in history')
    .option('--expect-version <n>', 'fail unless the document is at this version', integer(0)),
).action(async (file: string, opts) =>
  finish(await (await import('./commands/push.js')).pushCommand(file, opts)),
);

databaseOptions(
  program
    .command('history')
    .description('List the versions of a stored document, newest first.')
    .requiredOption('--key <key>', 'document key')
    .option('--limit <n>', 'how many', integer(1), 20)
    .option('--json', 'print JSON'),
).action(async (opts) => finish(await (await import('./commands/history.js')).historyCommand(opts)));

databaseOptions(
  program
    .command('rollback <version>')
    .description('Write an old version of a stored document as its next version; running servers apply it.')
    .requiredOption('--key <key>', 'document key')
    .option('--expect-version <n>', 'fail unless the document is at this version', integer(0)),
).action(async (version: string, opts) =>
  finish(await (await import('./commands/rollback.js')).rollbackCommand(integer(1)(version), opts)),
);

function finish(result: CommandResult): void {
  for (const line of result.lines) process.stdout.write(`${line}\n`);
  process.exitCode = result.exitCode;
}

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`cfg: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof Error && 'issues' in error && Array.isArray(error.issues)) {
    for (const issue of error.issues as { path: string; message: string }[]) {
      process.stderr.write(`cfg:   ${issue.path}: ${issue.message}\n`);
    }
  }
  process.exit(error instanceof UsageError ? 2 : 1);
});
