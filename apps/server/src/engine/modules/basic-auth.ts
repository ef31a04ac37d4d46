import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { InPlaceModule } from '../in-place-module.js';
import type { AuthDecision, ModuleContext, ModuleType } from '../types.js';

/** What `WWW-Authenticate` can carry in a quoted string without escapes: printable ASCII but `"` and `\`. */
const REALM = /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,100}$/;

const schema = z.strictObject({
  /** Paths it protects, served by other modules (`/hello`, a static response). */
  paths: z.array(z.string().startsWith('/')).min(1).max(100),
  /** The user name; HTTP Basic cannot carry a `:` in it. */
  username: z
    .string()
    .min(1)
    .max(256)
    .refine((name) => !name.includes(':'), 'a user name cannot contain ":" (HTTP Basic splits there)'),
  /** The password: take it from a secret, e.g. `${file:/run/secrets/admin-password}`. */
  password: z.string().min(1).max(1024),
  /** Shown by browsers in the login prompt. */
  realm: z
    .string()
    .regex(REALM, 'the realm is printable ASCII without " or \\ (at most 100 characters)')
    .default('cfg'),
});

export type BasicAuthConfig = z.infer<typeof schema>;

/** Longest `Authorization` value looked at; a longer one is refused without decoding it. */
const MAX_HEADER_LENGTH = 4096;

/**
 * HTTP Basic authentication in front of the listed paths: a request without the right user name
 * and password gets 401 with `WWW-Authenticate`. Reconfigurable: a rotated password (a `${file:…}`
 * reference whose file changed) is taken in place — the expected digest is swapped in one step, so
 * no request is dropped or sees half a change, and from that moment the old password is refused.
 * Credentials are compared as SHA-256 digests with `timingSafeEqual`: the time taken says nothing
 * about how much of a guess was right, nor how long the password is.
 */
export class BasicAuth extends InPlaceModule<BasicAuthConfig> {
  #expected: Buffer;

  constructor(ctx: ModuleContext<BasicAuthConfig>) {
    super(basicAuthType, ctx);
    this.#expected = _digest(`${ctx.config.username}:${ctx.config.password}`);
  }

  authorize(path: string, authorization: string | undefined): AuthDecision | null {
    if (!this.config.paths.includes(path)) return null;
    const given = _credentials(authorization);
    if (given !== undefined && timingSafeEqual(_digest(given), this.#expected)) return { allowed: true };
    return { allowed: false, realm: this.config.realm, guard: this.name };
  }

  protected override apply(next: BasicAuthConfig): void {
    this.#expected = _digest(`${next.username}:${next.password}`);
  }
}

/** `user:password` from `Basic <base64>`; `undefined` for anything else. */
function _credentials(header: string | undefined): string | undefined {
  if (header === undefined || header.length > MAX_HEADER_LENGTH) return undefined;
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  return match ? Buffer.from(match[1]!, 'base64').toString('utf8') : undefined;
}

function _digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export const basicAuthType: ModuleType<BasicAuthConfig, BasicAuth> = {
  type: 'basic-auth',
  description:
    'HTTP Basic (username, password, realm) in front of the listed paths; 401 without them. A rotated password applies in place.',
  reconfigurable: true,
  configSchema: schema,
  routes: () => [],
  create: (ctx) => new BasicAuth(ctx),
};
