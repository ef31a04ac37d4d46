import type { AddressInfo } from 'node:net';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { type Logger, SnapshotFile } from '@cfg/source';
import { build } from '../app.js';
import { TokenAuthenticator } from '../auth/authenticator.js';
import { keptAdminToken } from '../auth/token-file.js';
import { type LoadedTokens, loadTokens } from '../auth/tokens.js';
import { storeTimeouts } from '../db/connect.js';
import { createDatabase, type Database } from '../db/database.js';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { validateAppConfig } from '../engine/validate.js';
import { registryOf } from '../fleet/module-types.js';
import { startFleetReporting } from '../fleet/start-reporting.js';
import { isDatabaseUnavailable } from '../http/unavailable.js';
import { createLogger, ignoreClosedOutput } from '../observability/logger.js';
import { Runtime } from '../runtime.js';
import { referenceOptions } from '../secrets/options.js';
import { Redactor } from '../secrets/redactor.js';
import { openSources } from '../serve/open-sources.js';
import { chooseMode, chooseStore, type ServeOptions } from '../serve/options.js';
import { onShutdownSignals } from '../serve/shutdown.js';

type Step = { name: string; run: () => Promise<unknown> };

/**
 * `cfg serve`: picks the mode from the flags, opens the database (starting the embedded one if
 * asked), loads the first config, starts the engine, the watchers and the HTTP API, and installs
 * the graceful shutdown. Everything opened is closed again if start-up fails halfway.
 */
export async function serveCommand(opts: ServeOptions): Promise<void> {
  ignoreClosedOutput(process.stderr); // the terminal may close before we are done (SIGHUP)
  // One redactor for every channel: the runtime teaches it each snapshot, the log masks with it.
  const redactor = new Redactor();
  const logger = createLogger({
    level: opts.logLevel,
    ...(opts.logFormat ? { format: opts.logFormat } : {}),
    scrub: (line) => redactor.text(line),
  });
  const references = referenceOptions(opts);
  const store = chooseStore(opts);
  const mode = chooseMode(opts, store);
  let tokens: LoadedTokens & { file?: string } = await loadTokens({
    adminToken: process.env.CFG_ADMIN_TOKEN,
    readToken: process.env.CFG_READ_TOKEN,
    tokensFile: opts.tokensFile,
  });

  // Filled while starting; shutdown runs them in reverse.
  const opened: Step[] = [];
  const closeAll = async () => {
    for (const step of opened.reverse()) await step.run().catch(() => {});
  };
  let ready: Runtime | undefined;
  // Installed first: a signal while starting (Ctrl-C, a closed terminal) still closes what is open
  // by then — the embedded PostgreSQL runs detached and would outlive this process.
  onShutdownSignals({
    logger,
    steps: () => [
      ...(ready ? [{ name: 'mark not ready', run: async () => ready?.beginShutdown() }] : []),
      ...[...opened].reverse(),
    ],
  });
  try {
    let url = store.kind === 'url' ? store.url : undefined;
    if (store.kind === 'embedded') {
      const embedded = await startEmbeddedPostgres({
        dataDir: opts.dataDir,
        port: opts.embeddedPort,
        logger,
      });
      opened.push({ name: 'stop embedded PostgreSQL', run: () => embedded.stop() });
      url = embedded.url;
      // No token configured: the generated one is kept beside the database, for every start and replica.
      if (tokens.generated) {
        const kept = await keptAdminToken(resolve(opts.dataDir));
        tokens = { entries: [{ name: 'admin', role: 'admin', token: kept.token }], file: kept.file };
      }
    }
    const db = url
      ? createDatabase({ url, schema: opts.dbSchema, logger, ...storeTimeouts(opts) })
      : undefined;
    if (db) opened.push({ name: 'close the database pool', run: () => db.close() });
    const storeError = db ? await _migrate(db, opts.snapshot) : undefined;

    const registry = registryOf(opts.moduleTypes);
    const sources = await openSources(mode, {
      store: db?.store,
      pollIntervalMs: opts.pollIntervalMs,
      notify: opts.notify,
      maxDocumentBytes: opts.maxDocumentBytes,
      ...(references ? { references } : {}),
      check: (config) => {
        const outcome = validateAppConfig(config, registry);
        return outcome.ok ? [] : outcome.issues;
      },
      ...(db && opts.snapshot ? { snapshotFor: (key: string) => _snapshotFile(opts, db, key, logger) } : {}),
      ...(storeError === undefined ? {} : { storeError }),
      logger,
    });
    const runtime = await Runtime.create({
      initial: sources.initial,
      writer: sources.writer,
      engine: { registry },
      ...(sources.startup ? { startup: sources.startup } : {}),
      redactor,
      logger,
    });
    // Stopped after the modules (listed before them): the last reloads are reported, then it deregisters.
    const fleet = db
      ? startFleetReporting({
          store: db.store,
          runtime,
          labels: opts.label ?? {},
          heartbeatMs: opts.fleetHeartbeatMs,
          logger,
        })
      : undefined;
    if (fleet) opened.push({ name: 'leave the fleet', run: fleet.stop });
    opened.push({ name: 'stop the modules', run: () => runtime.close() });
    ready = runtime;
    // After the HTTP server closed: writes whose clients went away are still queued; the pool stays open for them.
    opened.push({ name: 'finish queued writes', run: async () => sources.writer.drain?.() });
    const app = await build({
      runtime,
      auth: new TokenAuthenticator(tokens.entries),
      logger,
      maxConnections: opts.maxConnections,
      maxEventStreams: opts.maxSseClients,
      requestTimeoutMs: opts.requestTimeoutMs,
      maxDocumentBytes: opts.maxDocumentBytes,
      ...(db ? { fleet: { store: db.store, ...(fleet ? { instanceId: fleet.reporter.id } : {}) } } : {}),
    });
    opened.push({ name: 'finish in-flight requests', run: () => app.close() });
    const watches = await sources.watch(runtime);
    opened.push({ name: 'stop watching', run: () => Promise.all(watches.map((w) => w.stop())) });

    await app.listen({ port: opts.port, host: opts.host });
    const { port } = app.server.address() as AddressInfo;
    const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    const { current } = runtime.reloader;
    logger.info(
      {
        url: `http://${host}:${port}`,
        mode: mode.kind,
        source: current.source,
        hash: current.hash.slice(0, 12),
        version: current.version,
        ...(db ? { notify: opts.notify, pollIntervalMs: opts.pollIntervalMs } : {}),
      },
      `cfg listening on http://${host}:${port} (${mode.kind} mode, ${current.source}, ${current.config.modules.length} modules)`,
    );
    if (tokens.file) {
      const shown = _shortPath(tokens.file);
      process.stderr.write(
        `cfg: no token configured (CFG_ADMIN_TOKEN, CFG_READ_TOKEN or --tokens-file), so the admin token is the one kept in ${shown} (mode 0600; the same for every start and every replica on this data directory):\ncfg:   export TOKEN=$(cat ${shown})\n`,
      );
    } else if (tokens.generated) {
      process.stderr.write(
        `cfg: no token configured (CFG_ADMIN_TOKEN, CFG_READ_TOKEN or --tokens-file), so this run has a generated admin token, shown once:\ncfg:   ${tokens.generated}\n`,
      );
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** `path` relative to the working directory when it is inside it (what a user types), else absolute. */
function _shortPath(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}

/**
 * Creates or upgrades the store's tables. A database that cannot be reached (or answers too slowly)
 * is not fatal when local snapshots are on: the error is returned, and start-up uses the snapshot.
 */
async function _migrate(db: Database, snapshots: boolean): Promise<unknown> {
  try {
    await db.migrate();
    return undefined;
  } catch (error) {
    if (snapshots && isDatabaseUnavailable(error)) return error;
    throw error;
  }
}

/** `<snapshot-dir>/<schema>.<key>.json`, tied to this database (another one's snapshot is ignored). */
function _snapshotFile(opts: ServeOptions, db: Database, key: string, logger: Logger): SnapshotFile {
  const name = `${opts.dbSchema}.${encodeURIComponent(key)}.json`;
  return new SnapshotFile(join(opts.snapshotDir, name), { origin: db.origin, logger });
}
