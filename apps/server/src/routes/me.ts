import type { FastifyPluginAsync } from 'fastify';
import type { TokenAuthenticator } from '../auth/authenticator.js';

/** `GET /me`: who the token is (`{ name, role }`), so a client (the console) knows whether it may write. */
export const meRoutes: FastifyPluginAsync<{ auth: TokenAuthenticator }> = async (app, { auth }) => {
  app.get(
    '/me',
    {
      onRequest: auth.require('read'),
      schema: {
        response: {
          200: {
            type: 'object',
            properties: { name: { type: 'string' }, role: { enum: ['admin', 'read'] } },
          },
        },
      },
    },
    async (request) => ({ name: request.principal!.name, role: request.principal!.role }),
  );
};
