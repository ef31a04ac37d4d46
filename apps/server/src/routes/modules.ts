import type { ModuleConfig } from '@cfg/source';
import type { FastifyPluginAsync } from 'fastify';
import type { TokenAuthenticator } from '../lib/auth.js';
import { codes } from '../lib/errors.js';
import { ModuleActivity } from '../lib/module-activity.js';
import { nestedDeeperThan } from '../lib/nesting.js';
import { PhaseTimings } from '../lib/phase-timings.js';
import type { Runtime } from '../runtime.js';
import { reloadReply } from './reload-reply.js';
import { anyObject, ifMatchHeaders, moduleNameParams } from './schemas.js';

/** Deeper than any hand-written config; bounded so a hostile body never reaches the recursive YAML edit. */
const MAX_CONFIG_DEPTH = 64;

interface NameParams {
  name: string;
}

/** `GET /modules`, `GET /modules/:name` and `PUT /modules/:name/config`. */
export const moduleRoutes: FastifyPluginAsync<{ runtime: Runtime; auth: TokenAuthenticator }> = async (
  app,
  { runtime, auth },
) => {
  const activity = new ModuleActivity(runtime.reloads);
  app.addHook('onClose', async () => activity.close());
  const describe = (module: ModuleConfig) => {
    const type = runtime.engine.registry.get(module.type);
    return {
      name: module.name,
      type: module.type,
      reconfigurable: type?.reconfigurable ?? false,
      dependsOn: module.dependsOn ?? [],
      config: module.config ?? {},
      // The last reload that changed it since this server started; `null`: as started.
      lastChange: activity.get(module.name) ?? null,
    };
  };
  const find = (name: string) => {
    const module = runtime.reloader.current.config.modules.find((m) => m.name === name);
    if (!module) throw codes.CFG_ERR_MODULE_NOT_FOUND(name);
    return module;
  };

  app.get(
    '/modules',
    { onRequest: auth.require('read'), schema: { response: { 200: anyObject } } },
    async () => ({ modules: runtime.reloader.current.config.modules.map(describe) }),
  );

  app.get<{ Params: NameParams }>(
    '/modules/:name',
    { onRequest: auth.require('read'), schema: { params: moduleNameParams, response: { 200: anyObject } } },
    async (request) => describe(find(request.params.name)),
  );

  /**
   * The body is the module's whole new `config`. It is checked against the whole resulting config
   * first (422, nothing written), then stored (DB modes: a new version, `If-Match` → 412), then
   * applied through the reloader; the reply is the ReloadResult, with a `Server-Timing` header.
   */
  app.put<{ Params: NameParams; Body: Record<string, unknown>; Headers: { 'if-match'?: string } }>(
    '/modules/:name/config',
    {
      onRequest: auth.require('admin'),
      schema: {
        params: moduleNameParams,
        headers: ifMatchHeaders,
        body: { type: 'object' },
        response: { 200: anyObject },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      find(name);
      if (nestedDeeperThan(request.body, MAX_CONFIG_DEPTH))
        throw codes.CFG_ERR_BAD_REQUEST(`a module config may nest at most ${MAX_CONFIG_DEPTH} levels deep`);
      const timings = new PhaseTimings();
      const outcome = await runtime.writer.writeModuleConfig(runtime.reloader.current, name, request.body, {
        actor: request.principal?.name ?? 'unknown',
        ifMatch: request.headers['if-match'],
        validate: (config) => runtime.validate(config),
        timings,
      });
      const result = await timings.time('reload', () => runtime.handleChange(outcome.snapshot));
      reply.header('server-timing', timings.header());
      return reloadReply(outcome, result);
    },
  );
};
