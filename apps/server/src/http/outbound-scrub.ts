import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Redactor } from '../secrets/redactor.js';

/** Replies whose body a module produced: what its config says it serves, sent as it is. */
const moduleBodies = new WeakSet<FastifyReply>();

/** Marks `reply` as a module's own answer (`/hello`, a static response): not scrubbed. */
export function markModuleBody(reply: FastifyReply): void {
  moduleBodies.add(reply);
}

/**
 * The HTTP channel's last line: every reply body the server writes itself — API replies, error
 * replies (whose messages and issues can quote config values), `/readyz`, the index — has every
 * secret the redactor knows replaced by the mask, as is and as escaped inside JSON, on top of the
 * structural masking the routes do. Module bodies are left alone: a module serves what its config
 * says (that is why references are allow-listed). The SSE stream writes records the runtime masked
 * already. Costs nothing while no secret is known.
 */
export function scrubReplies(app: FastifyInstance, redactor: Redactor): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!redactor.active || typeof payload !== 'string' || moduleBodies.has(reply)) return payload;
    return redactor.text(payload);
  });
}
