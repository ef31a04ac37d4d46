import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { codes } from '../http/errors.js';
import type { ConsoleAsset, ConsoleAssets } from './assets.js';

/**
 * No inline script or style, no third-party origin: the console's own bundle, and `fetch` to this
 * server only. Framing is refused (clickjacking), and no Referer leaves the page.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
} as const;

/** True when the client asked for HTML (a browser opening the URL); `*\/*` alone (curl) is not. */
export function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.split(',').some((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    return type === 'text/html' && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
  });
}

/** The console's page (no-cache: it names the current bundle, whose files are immutable). */
export function sendConsoleIndex(reply: FastifyReply, assets: ConsoleAssets, request: FastifyRequest) {
  return _send(reply, request, assets.index, 'no-cache');
}

/**
 * `GET /console/` (the page, also served at `/` to browsers) and `GET /console/assets/:file` (the
 * bundle, hashed names, cached for a year). Open to everyone like `/`: the page holds no data; every
 * API call it makes needs a token.
 */
export const consoleRoutes: FastifyPluginAsync<{ assets: ConsoleAssets }> = async (app, { assets }) => {
  app.get('/console', async (_request, reply) => reply.redirect('/console/', 301));
  app.get('/console/', async (request, reply) => sendConsoleIndex(reply, assets, request));
  app.get<{ Params: { file: string } }>(
    '/console/assets/:file',
    {
      schema: {
        params: {
          type: 'object',
          required: ['file'],
          properties: { file: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}\\.(js|css)$' } },
        },
      },
    },
    async (request, reply) => {
      const asset = assets.files.get(request.params.file);
      if (!asset) throw codes.CFG_ERR_NOT_FOUND(request.method, request.url);
      return _send(reply, request, asset, 'public, max-age=31536000, immutable');
    },
  );
};

function _send(reply: FastifyReply, request: FastifyRequest, asset: ConsoleAsset, cacheControl: string) {
  reply.headers(SECURITY_HEADERS).header('cache-control', cacheControl).header('etag', asset.etag);
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.type(asset.contentType).send(asset.body);
}
