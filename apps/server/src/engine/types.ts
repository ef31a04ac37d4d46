import type { Logger, ModuleConfig } from '@cfg/source';
import type { z } from 'zod';

/** What a module answers on one of its routes. */
export interface ModuleResponse {
  /** @defaultValue 200 */
  statusCode?: number;
  /** @defaultValue `application/json` when `body` is not a string, else `text/plain; charset=utf-8` */
  contentType?: string;
  body: unknown;
}

/** The verdict of a rate limiter for one request. */
export type LimitDecision =
  | { allowed: true }
  | { allowed: false; retryAfterSeconds: number; limiter: string };

/** The verdict of an authentication guard (basic-auth) for one request. */
export type AuthDecision = { allowed: true } | { allowed: false; realm: string; guard: string };

/** One running module. Instances of a Reconfigurable type also implement `Reconfigurable`. */
export interface ModuleInstance {
  readonly name: string;
  readonly type: string;
  /** Answers GET on one of the paths its type's `routes(config)` returned. */
  respond?(path: string): ModuleResponse;
  /** Rate limiters: `null` when this limiter does not cover `path`. */
  limit?(path: string): LimitDecision | null;
  /** Guards (basic-auth): `null` when this guard does not cover `path`; `authorization` is the request's header. */
  authorize?(path: string, authorization: string | undefined): AuthDecision | null;
  /** Called once, after every module of the set was created, before the set serves requests. */
  start?(signal: AbortSignal): Promise<void> | void;
  /** Called once, after the set stopped serving (in-flight requests have finished). */
  stop?(): Promise<void> | void;
}

/** Everything a module type gets to build one instance. */
export interface ModuleContext<C> {
  name: string;
  /** The module's `config`, already validated by the type's schema. */
  config: C;
  /** The instances named in `dependsOn`, already built. */
  deps: ReadonlyMap<string, ModuleInstance>;
  /** Monotonic milliseconds; replaceable in tests. */
  now: () => number;
  logger?: Logger;
}

/** How a dependency of a given type is needed among a module's `dependsOn`. */
export type DependencyNeed = 'required' | 'optional';

/** A kind of module the config can name in `type`. */
export interface ModuleType<C = unknown, I extends ModuleInstance = ModuleInstance> {
  readonly type: string;
  /** One line, shown by `GET /api/v1/modules` and in the README. */
  readonly description: string;
  /**
   * True when instances take a new config in place (a partial reload). False: any change to such a
   * module rebuilds the whole module set (a full reload).
   */
  readonly reconfigurable: boolean;
  /** Validates the module's `config` (strict: unknown keys are errors, so typos never pass silently). */
  readonly configSchema: z.ZodType<C>;
  /** Module types this one needs among its `dependsOn`, e.g. `{ greeter: 'required' }`. */
  readonly needs?: Readonly<Record<string, DependencyNeed>>;
  /** GET paths a module with this config serves; each path has at most one module. */
  routes(config: C): readonly string[];
  create(ctx: ModuleContext<C>): I;
}

/** A module config together with its checked, typed `config`. */
export interface PreparedModule {
  module: ModuleConfig;
  type: ModuleType;
  config: unknown;
}
