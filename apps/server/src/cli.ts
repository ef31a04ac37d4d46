#!/usr/bin/env node
import { MAX_DOCUMENT_BYTES } from '@cfg/source';
import { Command, CommanderError, Option } from 'commander';
import { normalizeArgv } from './cli/argv.js';
import { describeError, EXIT, exitCodeFor } from './cli/exit.js';
import { duration, integer, port } from './cli/parsers.js';
import type { CommandResult } from './commands/validate.js';
import { DEFAULT_DATA_DIR } from './db/find-data-dir.js';
import { collectLabels } from './fleet/labels.js';
import { moduleTypes } from './fleet/module-types.js';
import { collectSecretDirs, collectSecretEnv } from './secrets/options.js';
import { SERVER_VERSION } from './version.js';

// Commands are imported when run, so `cfg validate` never loads fastify, pg or chokidar.

/** The one size limit of config documents; `serve`, `push` and `validate` take it. */
function maxDocumentBytesOption(): Option {
  return new Option(
    '--max-document-bytes <n>',
    'largest config document accepted from any input (file, stored document, push, seed, API write), in bytes',
  )
    .env('CFG_MAX_DOCUMENT_BYTES')
    .default(MAX_DOCUMENT_BYTES)
    .argParser(integer(1));
}

/** `--wait` without a value waits this long; `--wait=<duration>` at most `MAX_WAIT_MS`. */
const DEFAULT_WAIT_MS = 60_000;
const MAX_WAIT_MS = 3_600_000;

/** Options every command that talks to the database shares. */
function databaseOptions(command: Command, dataDir: 'default' | 'nearest'): Command {
  const dataDirOption =
    dataDir === 'default'
      ? new Option('--data-dir <dir>', 'embedded PostgreSQL data directory').default(DEFAULT_DATA_DIR)
      : new Option(
          '--data-dir <dir>',
          'data directory of the running embedded PostgreSQL, used when no --database-url (default: the nearest .data/pg in this directory or above)',
        );
  return command
    .addOption(new Option('--database-url <url>', 'PostgreSQL connection string').env('CFG_DATABASE_URL'))
    .addOption(
      new Option('--db-schema <name>', 'schema holding the config tables')
        .env('CFG_DB_SCHEMA')
        .default('cfg'),
    )
    .addOption(dataDirOption.env('CFG_DATA_DIR'))
    .addOption(
      new Option(
        '--db-statement-timeout-ms <ms>',
        'longest one database statement may run; 0: no limit (default 5000)',
      )
        .env('CFG_DB_STATEMENT_TIMEOUT_MS')
        .argParser(integer(0)),
    )
    .addOption(
      new Option(
        '--db-lock-timeout-ms <ms>',
        'longest a statement waits for a row or table lock; 0: no limit (default 2000)',
      )
        .env('CFG_DB_LOCK_TIMEOUT_MS')
        .argParser(integer(0)),
    )
    .addOption(
      new Option(
        '--db-connect-timeout-ms <ms>',
        'longest a call waits for a database connection; 0: no limit (default 5000)',
      )
        .env('CFG_DB_CONNECT_TIMEOUT_MS')
        .argParser(integer(0)),
    );
}

const program = new Command()
  .name('cfg')
  .description(
    'The @cfg reference server: a small module engine whose config hot-reloads from a file, PostgreSQL or the HTTP API.',
  )
  .version(SERVER_VERSION, '-V, --version', 'print the version')
  // Errors come back here (see the end of this file) instead of exiting inside commander.
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'cfg: ')) });

program
  .command('serve')
  .description(
    'Run the server. Modes: a file (--config), a stored document (--database-url/--store embedded, --key), or a file plus a stored overlay (--overlay-key).',
  )
  .addOption(
    new Option('--port <number>', 'HTTP port; 0 picks a free one')
      .env('CFG_PORT')
      .default(8080)
      .argParser(port(0)),
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
      .argParser(port(1)),
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
  .addOption(maxDocumentBytesOption())
  .addOption(
    new Option(
      '--snapshot-dir <dir>',
      'where each applied stored document is kept, to start from when the database is unreachable',
    )
      .env('CFG_SNAPSHOT_DIR')
      .default('.data/snapshots'),
  )
  .addOption(
    new Option('--no-snapshot', 'keep no local snapshot, and never start from one (env: any value)').env(
      'CFG_NO_SNAPSHOT',
    ),
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
  .addOption(
    new Option('--label <name=value>', 'a label shown in the fleet (repeatable; env: comma-separated)')
      .env('CFG_LABELS')
      .argParser(collectLabels),
  )
  .addOption(
    new Option('--fleet-heartbeat-ms <ms>', 'fleet heartbeat interval; an instance is gone after 3 missed')
      .env('CFG_FLEET_HEARTBEAT_MS')
      .default(10_000)
      .argParser(integer(100)),
  )
  .addOption(
    new Option(
      '--module-types <types>',
      'comma-separated module types this server may run (default: all built-in); configs naming others are rejected',
    )
      .env('CFG_MODULE_TYPES')
      .argParser(moduleTypes),
  )
  .addOption(
    new Option(
      '--secret-dir <dir>',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the reference syntax, not a template.
      'a directory ${file:/…} references may read, e.g. /run/secrets (repeatable; env: comma-separated); default: none',
    )
      .env('CFG_SECRET_DIRS')
      .argParser(collectSecretDirs),
  )
  .addOption(
    new Option(
      '--secret-env <names>',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the reference syntax, not a template.
      'environment variables ${env:…} references may read: NAME, PREFIX_*, or * (comma-separated; never CFG_*); default: none',
    )
      .env('CFG_SECRET_ENV')
      .argParser(collectSecretEnv),
  )
  .addOption(
    new Option(
      '--no-references',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the reference syntax, not a template.
      'treat ${ as plain text: no ${env:…}/${file:…} references at all (env: any value)',
    ).env('CFG_NO_REFERENCES'),
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
With none of them, an admin token is generated: with --store embedded it is kept in
<data-dir>/admin-token (mode 0600) and reused by every start and replica; otherwise it is printed once.

Examples (from the repository root; \`cfg\` is node apps/server/dist/cli.js):
  cfg serve --config apps/server/examples/config.yaml --watch                  # file mode
  cfg serve --database-url postgres://localhost/app --key default              # database mode
  cfg serve --config apps/server/examples/config.yaml --watch --store embedded --overlay-key overlay
                                                                               # what pnpm start runs`,
  );
databaseOptions(program.commands.at(-1)!, 'default').action(async (opts) =>
  (await import('./commands/serve.js')).serveCommand(opts),
);

program
  .command('validate <file>')
  .description(
    'Check a config file as the server would; prints file:line:col for each problem, exit 1 if any.',
  )
  .addOption(maxDocumentBytesOption())
  .action(async (file: string, opts: { maxDocumentBytes: number }) =>
    finish(await (await import('./commands/validate.js')).validateCommand(file, opts)),
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
    .option('--create', 'start a new document when --key does not exist yet (else that is refused)')
    .option('--message <text>', 'why, recorded in history')
    .option('--expect-version <n>', 'fail unless the document is at this version', integer(0))
    .addOption(maxDocumentBytesOption())
    .addOption(waitOption()),
  'nearest',
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
  'nearest',
).action(async (opts) => finish(await (await import('./commands/history.js')).historyCommand(opts)));

databaseOptions(
  program
    .command('rollback')
    .argument('<version>', 'the version whose content becomes the next version', integer(1))
    .description('Write an old version of a stored document as its next version; running servers apply it.')
    .requiredOption('--key <key>', 'document key')
    .option('--expect-version <n>', 'fail unless the document is at this version', integer(0))
    .addOption(waitOption()),
  'nearest',
).action(async (version: number, opts) =>
  finish(await (await import('./commands/rollback.js')).rollbackCommand(version, opts)),
);

databaseOptions(
  program
    .command('status')
    .description(
      'Show the fleet of a stored document: each server following it, the version it runs, its last outcome and lag, and how recent versions went.',
    )
    .requiredOption('--key <key>', 'document key')
    .option('--versions <n>', 'how many recent versions to count', integer(1), 5)
    .option('--json', 'print JSON'),
  'nearest',
).action(async (opts) => finish(await (await import('./commands/status.js')).statusCommand(opts)));

/** `--wait[=timeout]` of push and rollback. */
function waitOption(): Option {
  return new Option(
    '--wait [timeout]',
    `after storing, wait until every live server reports the new version (exit 0), one rejects it or the timeout passes (exit 1); default timeout ${DEFAULT_WAIT_MS / 1000}s, at most ${MAX_WAIT_MS / 1000}s`,
  )
    .preset(String(DEFAULT_WAIT_MS / 1000))
    .argParser(duration(MAX_WAIT_MS));
}

// A usage error prints its one line and where to look, not the whole help.
program.showHelpAfterError('(run "cfg --help" for the commands)');
for (const command of program.commands) command.showHelpAfterError(`(run "cfg ${command.name()} --help")`);

/** The command being run, for the hint after a usage error that its action reports. */
let running = program;
program.hook('preAction', (_program, action) => {
  running = action;
});

function finish(result: CommandResult): void {
  for (const line of result.lines) process.stdout.write(`${line}\n`);
  process.exitCode = result.exitCode;
}

program.parseAsync(normalizeArgv(process.argv)).catch((error: unknown) => {
  const code = exitCodeFor(error);
  // commander has printed its own errors, help and version already.
  if (!(error instanceof CommanderError)) {
    process.stderr.write(`cfg: ${describeError(error)}\n`);
    if (error instanceof Error && 'issues' in error && Array.isArray(error.issues)) {
      for (const issue of error.issues as { path: string; message: string }[]) {
        process.stderr.write(`cfg:   ${issue.path}: ${issue.message}\n`);
      }
    }
    if (code === EXIT.usage) process.stderr.write(`(run "${commandPath(running)} --help")\n`);
  }
  process.exit(code);
});

function commandPath(command: Command): string {
  return command.parent ? `${commandPath(command.parent)} ${command.name()}` : command.name();
}
