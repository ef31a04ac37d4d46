import type { AddressInfo } from 'node:net';
import { build } from '../app.js';
import { openDatabase } from '../db/database.js';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { TokenAuthenticator } from '../lib/auth.js';
import { createLogger, ignoreClosedOutput } from '../lib/logger.js';
import { loadTokens } from '../lib/tokens.js';
import { Runtime } from '../runtime.js';
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
  const logger = createLogger({
    level: opts.logLevel,
    ...(opts.logFormat ? { format: opts.logFormat } : {}),
  });
  const store = chooseStore(opts);
  const mode = chooseMode(opts, store);
  const tokens = await loadTokens({
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
    }
    const db = url ? await openDatabase({ url, schema: opts.dbSchema, logger }) : undefined;
    if (db) opened.push({ name: 'close the database pool', run: () => db.close() });

    const sources = await openSources(mode, {
      store: db?.store,
      pollIntervalMs: opts.pollIntervalMs,
      notify: opts.notify,
      logger,
    });
    const runtime = await Runtime.create({ initial: sources.initial, writer: sources.writer, logger });
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
    if (tokens.generated) {
      process.stderr.write(
        `cfg: no token configured (CFG_ADMIN_TOKEN, CFG_READ_TOKEN or --tokens-file), so this run has a generated admin token, shown once:\ncfg:   ${tokens.generated}\n`,
      );
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
}
