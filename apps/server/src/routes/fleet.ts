import type { PgConfigStore } from '@cfg/pg-store';
import type { FastifyPluginAsync } from 'fastify';
import type { TokenAuthenticator } from '../auth/authenticator.js';
import { codes } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { anyObject, versionNumber } from './schemas.js';

/** What the fleet routes read: the store, and this process's own instance id (when it reports). */
export interface FleetAccess {
  store: Pick<PgConfigStore, 'fleet' | 'rollout' | 'waitForRollout'>;
  /** This server's instance id, so clients can tell which row is the one they asked. */
  instanceId?: string;
}

/** Longest `?wait=` on a rollout, in seconds. */
export const MAX_ROLLOUT_WAIT_SECONDS = 300;

export interface FleetRoutesOptions {
  runtime: Runtime;
  auth: TokenAuthenticator;
  /** Absent without a store (file mode): the routes answer 409. */
  fleet?: FleetAccess;
}

/**
 * `GET /fleet`: the instances following this server's document and how recent versions went.
 * `GET /fleet/versions/:version?wait=<s>`: where one version stands across the live instances,
 * waiting up to `wait` seconds for it to settle (complete or rejected). A wait ends early when the
 * client goes away or the server shuts down. Reports were masked by the instances that wrote them,
 * and every reply passes the app's outbound scrub (`app.ts`) with this server's secrets too.
 */
export const fleetRoutes: FastifyPluginAsync<FleetRoutesOptions> = async (app, { runtime, auth, fleet }) => {
  const waits = new Set<AbortController>();
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    for (const wait of waits) wait.abort(new Error('the server is shutting down'));
  });
  const access = () => {
    const key = runtime.writer.key;
    if (!fleet || !key) throw codes.CFG_ERR_NOT_PERSISTENT('fleet');
    return { ...fleet, key };
  };

  app.get<{ Querystring: { versions?: number } }>(
    '/fleet',
    {
      onRequest: auth.require('read'),
      schema: {
        querystring: {
          type: 'object',
          properties: { versions: { type: 'integer', minimum: 1, maximum: 100 } },
        },
        response: { 200: anyObject },
      },
    },
    async (request) => {
      const { store, key, instanceId } = access();
      const state = await store.fleet(key, { versions: request.query.versions ?? 10 });
      return { self: instanceId ?? null, ...state };
    },
  );

  app.get<{ Params: { version: number }; Querystring: { wait?: number } }>(
    '/fleet/versions/:version',
    {
      onRequest: auth.require('read'),
      schema: {
        params: { type: 'object', required: ['version'], properties: { version: versionNumber } },
        querystring: {
          type: 'object',
          properties: { wait: { type: 'number', minimum: 0, maximum: MAX_ROLLOUT_WAIT_SECONDS } },
        },
        response: { 200: anyObject },
      },
    },
    async (request, reply) => {
      const { store, key } = access();
      const { version } = request.params;
      // 404 for a version that does not exist (yet): waiting for it would only ever time out.
      await runtime.writer.versions?.getVersion(version);
      const waitMs = Math.round((request.query.wait ?? 0) * 1000);
      if (waitMs === 0) return store.rollout(key, version);
      const controller = new AbortController();
      waits.add(controller);
      const gone = () => controller.abort(new Error('the client went away'));
      reply.raw.once('close', gone);
      try {
        return await store.waitForRollout(key, version, { timeoutMs: waitMs, signal: controller.signal });
      } catch (error) {
        if (closing) throw codes.CFG_ERR_SHUTTING_DOWN();
        throw error;
      } finally {
        reply.raw.off('close', gone);
        waits.delete(controller);
      }
    },
  );
};
