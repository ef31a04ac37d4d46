import type { FastifyPluginAsync } from 'fastify';
import type { TokenAuthenticator } from '../auth/authenticator.js';
import type { Runtime } from '../runtime.js';

/** `GET /metrics`: Prometheus text format, behind a read token. */
export const metricsRoutes: FastifyPluginAsync<{ runtime: Runtime; auth: TokenAuthenticator }> = async (
  app,
  { runtime, auth },
) => {
  app.get(
    '/metrics',
    { onRequest: auth.require('read'), schema: { response: { 200: { type: 'string' } } } },
    async (_request, reply) => {
      runtime.status(); // refreshes the degraded gauges (from kept state: no source is read)
      reply.type(runtime.metrics.registry.contentType);
      return runtime.metrics.render();
    },
  );
};
