import type { FastifyPluginAsync } from 'fastify';
import type { TokenAuthenticator } from '../auth/authenticator.js';
import { codes } from '../http/errors.js';
import { EventStream } from '../http/event-stream.js';
import type { ReloadRecord } from '../observability/reload-log.js';
import type { Runtime } from '../runtime.js';
import { anyObject } from './schemas.js';

export interface ReloadRoutesOptions {
  runtime: Runtime;
  auth: TokenAuthenticator;
  /** Comment line interval on `/events`. */
  sseHeartbeatMs: number;
  /** Open `/events` streams at most; one more gets 503. */
  maxEventStreams: number;
  /** Unsent bytes per stream before a client that does not read is dropped. */
  eventStreamBufferBytes: number;
}

/** What a client refused for the stream limit is told to wait before trying again. */
const STREAM_RETRY_AFTER_SECONDS = 5;

/**
 * `GET /reloads`: the last results, newest first. `GET /events`: the same results live, as
 * Server-Sent Events (`event: reload`, `id` = the result's sequence number; a reconnect with
 * `Last-Event-ID` replays what was missed, as far as the buffer reaches), with heartbeats. Streams
 * are bounded in number (503 past `maxEventStreams`) and in the bytes each may leave unsent (a client
 * that does not read is dropped, and resumes with `Last-Event-ID`); records are bounded in size.
 */
export const reloadRoutes: FastifyPluginAsync<ReloadRoutesOptions> = async (
  app,
  { runtime, auth, sseHeartbeatMs, maxEventStreams, eventStreamBufferBytes },
) => {
  const streams = new Set<EventStream>();
  // Open streams would keep `app.close()` waiting forever; end them first.
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.close();
  });
  // Each record is serialised once, however many streams it goes to.
  const serialised = new WeakMap<ReloadRecord, string>();
  const json = (record: ReloadRecord): string => {
    let text = serialised.get(record);
    if (text === undefined) {
      text = JSON.stringify(record);
      serialised.set(record, text);
    }
    return text;
  };

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
      if (streams.size >= maxEventStreams) {
        reply.header('retry-after', String(STREAM_RETRY_AFTER_SECONDS));
        throw codes.CFG_ERR_TOO_MANY_STREAMS(maxEventStreams);
      }
      reply.hijack();
      const stream = new EventStream(reply.raw, {
        heartbeatMs: sseHeartbeatMs,
        maxBufferedBytes: eventStreamBufferBytes,
        onDrop: (unsent) => {
          runtime.metrics.eventStreamDropped();
          request.log.debug({ unsent }, `event stream dropped: the client left ${unsent} bytes unread`);
        },
      });
      streams.add(stream);
      const lastId = request.headers['last-event-id'];
      if (lastId !== undefined)
        for (const record of runtime.reloads.since(Number(lastId)))
          stream.send('reload', json(record), record.id);
      const unsubscribe = runtime.reloads.subscribe((record) =>
        stream.send('reload', json(record), record.id),
      );
      reply.raw.on('close', () => {
        unsubscribe();
        streams.delete(stream);
        stream.close();
      });
    },
  );
};
