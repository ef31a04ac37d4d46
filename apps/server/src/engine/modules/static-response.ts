import { z } from 'zod';
import type { ModuleInstance, ModuleResponse, ModuleType } from '../types.js';

/** Paths the server itself owns; a static response may not shadow them. */
const RESERVED = ['/healthz', '/readyz', '/metrics', '/api', '/console'];

const schema = z.strictObject({
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
  /** A string is sent as text; anything else as JSON. */
  body: z.unknown().refine((b) => b !== undefined, 'body is required'),
  /** Overrides the content type chosen from `body`. */
  contentType: z.string().min(1).max(200).optional(),
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
