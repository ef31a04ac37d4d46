import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { codes } from '../http/errors.js';
import { markModuleBody } from '../http/outbound-scrub.js';
import type { Runtime } from '../runtime.js';

/**
 * The GET paths the modules serve (`/hello`, `/flags`, `/welcome`, static responses), open to
 * everyone. Each request takes the module set ONCE, at its start, and finishes on it: a full reload
 * swapping sets meanwhile neither breaks nor mixes it, and the old set is stopped only after the
 * requests holding it are done.
 */
export const modulePathRoutes: FastifyPluginAsync<{ runtime: Runtime }> = async (app, { runtime }) => {
  app.get<{ Params: { '*': string } }>(
    '/*',
    { schema: { params: { type: 'object', properties: { '*': { type: 'string' } } } } },
    async (request, reply) => serveModulePath(runtime, `/${request.params['*']}`, request, reply),
  );
};

/**
 * Answers GET `path` from the module that serves it: 404 when none does, 429 when a limiter says no
 * (counted before the password is checked, so a limiter also slows guessing), 401 when a guard
 * (basic-auth) does not let the request in.
 */
export function serveModulePath(
  runtime: Runtime,
  path: string,
  request: Pick<FastifyRequest, 'method' | 'headers'>,
  reply: FastifyReply,
): string | FastifyReply {
  const { method } = request;
  const set = runtime.engine.modules;
  const release = set.acquire();
  try {
    const module = set.route(path);
    if (!module?.respond) throw codes.CFG_ERR_NOT_FOUND(method, path);
    const decision = set.limit(path);
    if (!decision.allowed) {
      throw codes.CFG_ERR_RATE_LIMITED.with(
        { retryAfterSeconds: decision.retryAfterSeconds },
        decision.limiter,
        decision.retryAfterSeconds,
      );
    }
    const auth = set.authorize(path, request.headers.authorization);
    if (!auth.allowed) throw codes.CFG_ERR_BASIC_AUTH.with({ realm: auth.realm }, path, auth.guard);
    const response = module.respond(path);
    markModuleBody(reply);
    // A configured content type is never second-guessed by a browser (an HTML body served as text/plain).
    reply.code(response.statusCode ?? 200).header('x-content-type-options', 'nosniff');
    if (response.body === undefined) return reply.send(); // 204, 205, 304: no content
    const isText = typeof response.body === 'string';
    reply.type(
      response.contentType ?? (isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8'),
    );
    return isText ? (response.body as string) : JSON.stringify(response.body);
  } finally {
    release();
  }
}
