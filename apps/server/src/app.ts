import { MAX_DOCUMENT_BYTES } from '@cfg/source';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { TokenAuthenticator } from './auth/authenticator.js';
import { type ConsoleAssets, loadConsoleAssets } from './console/assets.js';
import { consoleRoutes } from './console/routes.js';
import { MODULE_NAME_MAX_LENGTH } from './engine/module-name.js';
import { limitConnections } from './http/connection-limit.js';
import { clientErrorHandler, errorHandler, notFoundHandler } from './http/error-handler.js';
import { codes } from './http/errors.js';
import { scrubReplies } from './http/outbound-scrub.js';
import { trackUnusedConnections } from './http/unused-connections.js';
import { configRoutes } from './routes/config.js';
import { type FleetAccess, fleetRoutes } from './routes/fleet.js';
import { healthRoutes, readinessSchema } from './routes/health.js';
import { indexRoutes } from './routes/index.js';
import { meRoutes } from './routes/me.js';
import { metricsRoutes } from './routes/metrics.js';
import { modulePathRoutes } from './routes/module-paths.js';
import { moduleRoutes } from './routes/modules.js';
import { reloadRoutes } from './routes/reloads.js';
import type { Runtime } from './runtime.js';

export interface BuildOptions {
  runtime: Runtime;
  auth: TokenAuthenticator;
  /** A pino logger for request errors. @defaultValue none (silent) */
  logger?: FastifyBaseLogger;
  /** Largest accepted request body, in bytes; larger ones get 413. @defaultValue 1 MiB */
  bodyLimit?: number;
  /** Heartbeat interval of `GET /api/v1/events`. @defaultValue 15_000 */
  sseHeartbeatMs?: number;
  /**
   * Time for a whole request (headers and body) to arrive; past it the connection gets 408 and is
   * closed. Fastify's default is none: a body that never completed held its connection for good.
   * @defaultValue 30_000
   */
  requestTimeoutMs?: number;
  /** Time for the request headers to arrive (also closes a connection that never sends one). @defaultValue 10_000 */
  headersTimeoutMs?: number;
  /** Open TCP connections at most; past it new ones are closed on arrival. @defaultValue 512 */
  maxConnections?: number;
  /** Open `GET /api/v1/events` streams at most; past it 503 `CFG_ERR_TOO_MANY_STREAMS`. @defaultValue 100 */
  maxEventStreams?: number;
  /** Unsent bytes an event stream may hold before its (non-reading) client is dropped. @defaultValue 256 KiB */
  eventStreamBufferBytes?: number;
  /** The fleet store and this server's instance id (`GET /api/v1/fleet`); absent: 409 (file mode). */
  fleet?: FleetAccess;
  /** The web console's files; `false`: no console. @defaultValue the built `@cfg/console`, if present */
  console?: ConsoleAssets | false;
  /** Stored texts up to this size are parsed to mask their secrets (`GET /api/v1/config/versions/:v`). @defaultValue `MAX_DOCUMENT_BYTES` */
  maxDocumentBytes?: number;
}

/** The defaults of `BuildOptions`, in one place (the README lists them, with why). */
export const BUILD_DEFAULTS = {
  bodyLimit: 1024 * 1024,
  sseHeartbeatMs: 15_000,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  maxConnections: 512,
  maxEventStreams: 100,
  eventStreamBufferBytes: 256 * 1024,
  maxDocumentBytes: MAX_DOCUMENT_BYTES,
} as const;

/**
 * How often Node looks for requests past their timeouts. Its default, 30 s, let a timed-out request
 * live up to 30 s longer than its timeout; with 1 s a request is closed within a second of it.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/**
 * The HTTP API as a fastify instance, not listening yet: tests call `app.inject`, the CLI calls
 * `app.listen`. Every error reply is `{ statusCode, code, error, message }` from `http/errors.ts`.
 */
export async function build(userOpts: BuildOptions): Promise<FastifyInstance> {
  const opts = { ...BUILD_DEFAULTS, ...userOpts };
  const onError = errorHandler(opts.bodyLimit);
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    // A request whose body (or headers) never completes is answered 408 and closed in bounded time.
    requestTimeout: opts.requestTimeoutMs,
    http: {
      headersTimeout: Math.min(opts.headersTimeoutMs, opts.requestTimeoutMs),
      requestTimeout: opts.requestTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    // One line per reload is the log that matters; per-request lines would drown it.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit,
    // `__proto__` / `constructor.prototype` in a JSON body is refused (400), never merged anywhere.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Requests arriving while shutting down get the error table's 503 (the hook below), not fastify's own.
    return503OnClosing: false,
    // Unparseable HTTP, a URL that does not decode, an over-long path parameter: the error table too.
    clientErrorHandler,
    frameworkErrors: (error, request, reply) => onError(error, request, reply),
    // Module names in paths may be as long as the name rule allows.
    routerOptions: { maxParamLength: MODULE_NAME_MAX_LENGTH },
  });
  // JSON only: without this, a text/plain body would reach the routes as a string.
  app.removeContentTypeParser(['text/plain']);
  app.decorateRequest('principal', null);
  app.addSchema(readinessSchema);
  app.setErrorHandler(onError);
  app.setNotFoundHandler(notFoundHandler);

  const { runtime, auth } = opts;
  limitConnections(app.server, {
    max: opts.maxConnections,
    ...(opts.logger ? { logger: opts.logger } : {}),
    onRefused: () => runtime.metrics.connectionRefused(),
  });
  const consoleAssets = opts.console === false ? undefined : (opts.console ?? loadConsoleAssets());
  const unusedConnections = trackUnusedConnections(app.server);
  app.addHook('preClose', async () => unusedConnections.close());
  scrubReplies(app, runtime.redactor);
  app.addHook('onRequest', async (request) => {
    if (runtime.stopping && request.url !== '/readyz' && request.url !== '/healthz')
      throw codes.CFG_ERR_SHUTTING_DOWN();
  });
  await app.register(healthRoutes, { runtime });
  await app.register(indexRoutes, { runtime, ...(consoleAssets ? { console: consoleAssets } : {}) });
  if (consoleAssets) await app.register(consoleRoutes, { assets: consoleAssets });
  await app.register(metricsRoutes, { runtime, auth });
  await app.register(modulePathRoutes, { runtime });
  await app.register(
    async (api) => {
      await api.register(configRoutes, { runtime, auth, maxDocumentBytes: opts.maxDocumentBytes });
      await api.register(moduleRoutes, { runtime, auth });
      await api.register(reloadRoutes, {
        runtime,
        auth,
        sseHeartbeatMs: opts.sseHeartbeatMs,
        maxEventStreams: opts.maxEventStreams,
        eventStreamBufferBytes: opts.eventStreamBufferBytes,
      });
      await api.register(fleetRoutes, { runtime, auth, ...(opts.fleet ? { fleet: opts.fleet } : {}) });
      await api.register(meRoutes, { auth });
    },
    { prefix: '/api/v1' },
  );
  return app;
}
