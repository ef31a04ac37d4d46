import type { FastifyPluginAsync } from 'fastify';
import type { ConsoleAssets } from '../console/assets.js';
import { sendConsoleIndex, wantsHtml } from '../console/routes.js';
import type { Runtime } from '../runtime.js';
import { SERVER_VERSION } from '../version.js';
import { serveModulePath } from './module-paths.js';

/** Who may call an endpoint: anyone, a read token, or an admin token. */
type Access = 'open' | 'read' | 'admin';

/** What the server answers, for people and scripts that open `/`; README "HTTP API" has the details. */
export const ENDPOINTS: readonly { method: string; path: string; access: Access; what: string }[] = [
  { method: 'GET', path: '/healthz', access: 'open', what: 'liveness' },
  { method: 'GET', path: '/readyz', access: 'open', what: 'readiness: ready, degraded or stopping' },
  { method: 'GET', path: '/api/v1/config', access: 'read', what: 'the config in use, its version and hash' },
  { method: 'GET', path: '/api/v1/status', access: 'read', what: 'reloader status and source errors' },
  { method: 'GET', path: '/api/v1/modules', access: 'read', what: 'the modules and their config' },
  {
    method: 'PUT',
    path: '/api/v1/modules/:name/config',
    access: 'admin',
    what: "replace a module's config",
  },
  { method: 'GET', path: '/api/v1/config/history', access: 'read', what: 'stored versions, newest first' },
  { method: 'GET', path: '/api/v1/config/versions/:v', access: 'read', what: 'one stored version' },
  {
    method: 'POST',
    path: '/api/v1/config/rollback',
    access: 'admin',
    what: 'write an old version as the newest',
  },
  { method: 'GET', path: '/api/v1/reloads', access: 'read', what: 'the last reloads, newest first' },
  { method: 'GET', path: '/api/v1/events', access: 'read', what: 'reloads as Server-Sent Events' },
  {
    method: 'GET',
    path: '/api/v1/fleet',
    access: 'read',
    what: 'the instances following this document, and how recent versions went',
  },
  {
    method: 'GET',
    path: '/api/v1/fleet/versions/:version',
    access: 'read',
    what: 'where one version stands across the live instances; ?wait=<s> waits for it to settle',
  },
  { method: 'GET', path: '/api/v1/me', access: 'read', what: "the token's name and role" },
  { method: 'GET', path: '/console/', access: 'open', what: 'the web console (also / in a browser)' },
  { method: 'GET', path: '/metrics', access: 'read', what: 'Prometheus metrics' },
];

/**
 * `GET /`: for a browser (`Accept: text/html`), the web console; for everyone else a JSON index of
 * the endpoints and of the paths the modules serve, so the URL the server prints leads somewhere.
 * Both say `Vary: Accept`. A module configured to serve `/` itself (a `static-response`) takes it
 * over; the console stays at `/console/`.
 */
export const indexRoutes: FastifyPluginAsync<{ runtime: Runtime; console?: ConsoleAssets }> = async (
  app,
  { runtime, console: consoleAssets },
) => {
  app.get('/', async (request, reply) => {
    if (runtime.engine.modules.route('/')) return serveModulePath(runtime, '/', request, reply);
    reply.header('vary', 'Accept');
    if (consoleAssets && wantsHtml(request)) return sendConsoleIndex(reply, consoleAssets, request);
    reply.type('application/json; charset=utf-8');
    return {
      service: 'cfg',
      version: SERVER_VERSION,
      endpoints: ENDPOINTS,
      modulePaths: runtime.engine.modules.paths,
      auth: 'read and admin endpoints need Authorization: Bearer <token>',
    };
  });
};
