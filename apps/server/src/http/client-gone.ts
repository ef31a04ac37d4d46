import type { FastifyReply } from 'fastify';
import { codes } from './errors.js';

/**
 * Aborted when the client closes the connection before its reply was sent. A write queued behind a
 * stalled one checks it before it is stored: a client that gave up must not have its write land
 * later, when the stall ends.
 */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (reply.raw.writableFinished) return;
    controller.abort(
      codes.CFG_ERR_BAD_REQUEST(
        'the client closed the connection before the write was stored; nothing was written',
      ),
    );
  });
  return controller.signal;
}
