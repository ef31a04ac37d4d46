import { z } from 'zod';
import type { ModuleInstance, ModuleResponse, ModuleType } from '../types.js';

/** Paths the server itself owns; a static response may not shadow them. */
const RESERVED = ['/healthz', '/readyz', '/metrics', '/api', '/console'];

/** Statuses whose responses carry no content (RFC 9110 §15.3.5, §15.3.6, §15.4.5). */
const BODILESS = new Set([204, 205, 304]);

/**
 * A media type as a header carries it: `type/subtype` and `; name=value` parameters, in printable
 * ASCII only. A character Node cannot put in a header (past Latin-1) made every GET of the path a
 * 500, and a CR or LF would be a header injection.
 */
const TOKEN = String.raw`[!#$%&'*+.^_\`|~0-9A-Za-z-]+`;
const QUOTED = String.raw`"[\x20\x21\x23-\x5b\x5d-\x7e]*"`;
const MEDIA_TYPE = new RegExp(
  String.raw`^${TOKEN}/${TOKEN}(?:[ \t]*;[ \t]*${TOKEN}=(?:${TOKEN}|${QUOTED}))*$`,
);

const schema = z
  .strictObject({
    /** The GET path to answer on, e.g. `/status`. */
    path: z
      .string()
      .regex(/^\/[A-Za-z0-9._~\-/]*$/, 'a path starts with "/" and holds letters, digits and . _ ~ - /')
      .max(200)
      .refine(
        (p) => !RESERVED.some((r) => p === r || p.startsWith(`${r}/`)),
        `the server owns ${RESERVED.join(', ')}`,
      ),
    /** @defaultValue 200 */
    status: z.number().int().min(200).max(599).default(200),
    /** A string is sent as text; anything else as JSON. Required, except for 204, 205 and 304, which have none. */
    body: z.unknown().optional(),
    /** Overrides the content type chosen from `body`. */
    contentType: z
      .string()
      .max(200)
      .regex(MEDIA_TYPE, 'a media type such as "text/html; charset=utf-8" (printable ASCII, one line)')
      .optional(),
  })
  .superRefine((config, ctx) => {
    const bodiless = BODILESS.has(config.status);
    if (bodiless && config.body !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['body'],
        message: `a ${config.status} response has no body; remove it`,
      });
    if (!bodiless && config.body === undefined)
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'body is required' });
  });

export type StaticResponseConfig = z.infer<typeof schema>;

/** Serves a fixed body on a configured path. NOT Reconfigurable: any change rebuilds the module set. */
export class StaticResponse implements ModuleInstance {
  readonly type = 'static-response';
  readonly name: string;
  readonly #response: ModuleResponse;

  constructor(name: string, config: StaticResponseConfig) {
    this.name = name;
    this.#response = {
      statusCode: config.status,
      body: config.body,
      ...(config.contentType ? { contentType: config.contentType } : {}),
    };
  }

  respond(): ModuleResponse {
    return this.#response;
  }
}

export const staticResponseType: ModuleType<StaticResponseConfig, StaticResponse> = {
  type: 'static-response',
  description: 'GET <path> answers a fixed body. Not reconfigurable: a change forces a full reload.',
  reconfigurable: false,
  configSchema: schema,
  routes: (config) => [config.path],
  create: ({ name, config }) => new StaticResponse(name, config),
};
