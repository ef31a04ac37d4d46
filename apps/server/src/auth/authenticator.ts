import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { codes } from '../http/errors.js';
import type { Role, TokenEntry } from './tokens.js';

/** Who made a request: the token's name (recorded as the actor of writes) and its role. */
export interface Principal {
  name: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on routes that need a token. */
    principal: Principal | null;
  }
}

/**
 * Checks bearer tokens in constant time: every known token is compared (as SHA-256 digests, so
 * lengths match) whether or not an earlier one matched, so timing reveals neither which token
 * nor how much of it was right.
 */
export class TokenAuthenticator {
  readonly #tokens: { digest: Buffer; principal: Principal }[];

  constructor(entries: readonly TokenEntry[]) {
    this.#tokens = entries.map((e) => ({
      digest: _digest(e.token),
      principal: { name: e.name, role: e.role },
    }));
  }

  /** The principal for an `Authorization` header value, or `null`. */
  authenticate(authorization: string | undefined): Principal | null {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
    if (!match?.[1]) return null;
    const digest = _digest(match[1]);
    let found: Principal | null = null;
    for (const { digest: known, principal } of this.#tokens) {
      if (timingSafeEqual(digest, known) && found === null) found = principal;
    }
    return found;
  }

  /** An `onRequest` hook: 401 without a known token, 403 when `role` is admin and the token is read-only. */
  require(role: Role): onRequestHookHandler {
    return async (request: FastifyRequest) => {
      const principal = this.authenticate(request.headers.authorization);
      if (!principal) throw codes.CFG_ERR_UNAUTHORIZED();
      if (role === 'admin' && principal.role !== 'admin') throw codes.CFG_ERR_FORBIDDEN(principal.name);
      request.principal = principal;
    };
  }
}

function _digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
