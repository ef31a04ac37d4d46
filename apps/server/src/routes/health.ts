import type { FastifyPluginAsync } from 'fastify';
import type { Runtime } from '../runtime.js';

/**
 * `GET /healthz`: the process answers (liveness) — always 200.
 * `GET /readyz`: 200 while a config is applied and the server is not shutting down, EVEN when the
 * latest change was rejected or a source is unreadable: the server keeps serving its last good
 * config, and taking every replica out of a load balancer because of one bad shared config would
 * turn a rejected change into an outage. It says `"status": "degraded"` then, with error codes only
 * (details, which may quote config text, are behind a token at `GET /api/v1/status`). 503 while
 * shutting down.
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
      const status = await runtime.status();
      reply.code(status.ready ? 200 : 503);
      return {
        status: !status.ready ? 'stopping' : status.degraded ? 'degraded' : 'ready',
        hash: status.reloader.current.hash.slice(0, 12),
        version: status.reloader.current.version,
        errors: [
          ...(status.reloader.degraded && status.reloader.lastError ? [status.reloader.lastError.code] : []),
          ...status.sourceErrors.map((e) => e.code ?? 'CFG_SOURCE'),
        ],
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
  },
} as const;
