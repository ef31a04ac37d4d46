import type { FastifyPluginAsync } from 'fastify';
import type { TokenAuthenticator } from '../lib/auth.js';
import { EventStream } from '../lib/event-stream.js';
import type { Runtime } from '../runtime.js';
import { anyObject } from './schemas.js';

export interface ReloadRoutesOptions {
  runtime: Runtime;
  auth: TokenAuthenticator;
  /** Comment line interval on `/events`. */
  sseHeartbeatMs: number;
}

/**
 * `GET /reloads`: the last results, newest first. `GET /events`: the same results live, as
 * Server-Sent Events (`event: reload`, `id` = the result's sequence number; a reconnect with
 * `Last-Event-ID` replays what was missed, as far as the buffer reaches), with heartbeats.
 */
export const reloadRoutes: FastifyPluginAsync<ReloadRoutesOptions> = async (
  app,
  { runtime, auth, sseHeartbeatMs },
) => {
  const streams = new Set<EventStream>();
  // Open streams would keep `app.close()` waiting forever; end them first.
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.close();
  });

  app.get(
    '/reloads',
    { onRequest: auth.require('read'), schema: { response: { 200: anyObject } } },
    async () => ({
      reloads: runtime.reloads.list(),
    }),
  );

  app.get<{ Headers: { 'last-event-id'?: string } }>(
    '/events',
    {
      // A HEAD would get a stream that never ends and never sends its headers (found by the HTTP fuzz).
      exposeHeadRoute: false,
      onRequest: auth.require('read'),
      schema: {
        headers: {
          type: 'object',
          properties: { 'last-event-id': { type: 'string', pattern: '^\\d{1,15}$' } },
        },
      },
    },
    (request, reply) => {
      reply.hijack();
      const stream = new EventStream(reply.raw, sseHeartbeatMs);
      streams.add(stream);
      const lastId = request.headers['last-event-id'];
      if (lastId !== undefined)
        for (const record of runtime.reloads.since(Number(lastId))) stream.send('reload', record, record.id);
      const unsubscribe = runtime.reloads.subscribe((record) => stream.send('reload', record, record.id));
      reply.raw.on('close', () => {
        unsubscribe();
        streams.delete(stream);
        stream.close();
      });
    },
  );
};
