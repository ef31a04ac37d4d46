import type { FastifyPluginAsync } from 'fastify';
import type { Runtime } from '../runtime.js';

/**
 * `GET /healthz`: the process answers (liveness) — always 200.
 * `GET /readyz`: 200 while a config is applied and the server is not shutting down, EVEN when the
 * latest change was rejected, a source is unreadable, or the process started on an older version
 * or its local snapshot: the server keeps serving its last good config, and taking every replica
 * out of a load balancer because of one bad shared config would turn a rejected change into an
 * outage. It says `"status": "degraded"` then, with error codes only (details, which may quote
 * config text, are behind a token at `GET /api/v1/status`). 503 while shutting down. Neither route
 * reads a source: they answer from state the server keeps, even while the database stalls.
 */
export const healthRoutes: FastifyPluginAsync<{ runtime: Runtime }> = async (app, { runtime }) => {
  app.get(
    '/healthz',
    { schema: { response: { 200: { type: 'object', properties: { status: { const: 'ok' } } } } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        response: {
          '2xx': { $ref: 'readiness#' },
          503: { $ref: 'readiness#' },
        },
      },
    },
    async (_request, reply) => {
      const status = runtime.status();
      reply.code(status.ready ? 200 : 503);
      const startup = status.startup?.degraded ? status.startup : undefined;
      return {
        status: !status.ready ? 'stopping' : status.degraded ? 'degraded' : 'ready',
        hash: status.reloader.current.hash.slice(0, 12),
        version: status.reloader.current.version,
        // Each code once: the poller may report the same bad newest version the start-up skipped.
        errors: [
          ...new Set([
            ...(status.reloader.degraded && status.reloader.lastError
              ? [status.reloader.lastError.code]
              : []),
            ...status.sourceErrors.map((e) => e.code ?? 'CFG_SOURCE'),
            ...(startup?.from === 'history' ? startup.skipped.map((s) => s.code) : []),
            ...(startup?.from === 'snapshot' ? ['CFG_LOCAL_SNAPSHOT'] : []),
          ]),
        ],
        ...(startup?.from === 'history' ? { skippedVersions: startup.skipped.map((s) => s.version) } : {}),
      };
    },
  );
};

export const readinessSchema = {
  $id: 'readiness',
  type: 'object',
  properties: {
    status: { enum: ['ready', 'degraded', 'stopping'] },
    hash: { type: 'string' },
    version: { type: 'integer' },
    errors: { type: 'array', items: { type: 'string' } },
    skippedVersions: { type: 'array', items: { type: 'integer' } },
  },
} as const;
