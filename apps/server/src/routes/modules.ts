import { findJsonValueProblem, MAX_NESTING, type ModuleConfig } from '@cfg/source';
import type { FastifyPluginAsync } from 'fastify';
import type { TokenAuthenticator } from '../auth/authenticator.js';
import { clientGone } from '../http/client-gone.js';
import { codes } from '../http/errors.js';
import { PhaseTimings } from '../http/phase-timings.js';
import { ModuleActivity } from '../observability/module-activity.js';
import type { Runtime } from '../runtime.js';
import { assertNoMaskedSecrets } from '../secrets/masked-write.js';
import { reloadReply } from './reload-reply.js';
import { anyObject, ifMatchHeaders, moduleNameParams } from './schemas.js';

/**
 * The levels a module's `config` may nest: the document's one limit, less the three above it (the
 * top level, `modules`, the module). Checked before the recursive YAML edit ever sees the body.
 */
const MAX_CONFIG_NESTING = MAX_NESTING - 3;

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
  /** The modules as shown: secrets masked (values from references, values under secret keys). */
  const shown = () => {
    const { config, secretPaths } = runtime.reloader.current;
    return runtime.redactor.config(
      config.modules,
      secretPaths?.map((p) => p.replace(/^\/modules/, '')),
    );
  };

  app.get(
    '/modules',
    { onRequest: auth.require('read'), schema: { response: { 200: anyObject } } },
    async () => ({ modules: shown().map(describe) }),
  );

  app.get<{ Params: NameParams }>(
    '/modules/:name',
    { onRequest: auth.require('read'), schema: { params: moduleNameParams, response: { 200: anyObject } } },
    async (request) => {
      find(request.params.name);
      return describe(shown().find((m) => m.name === request.params.name)!);
    },
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
      // Values every replica reads back alike: no deeper than the limit, no numbers JSON loses.
      const problem = findJsonValueProblem(request.body, { maxNesting: MAX_CONFIG_NESTING });
      if (problem)
        throw codes.CFG_ERR_BAD_REQUEST(
          `config${problem.path.map((p) => `.${p}`).join('')}: ${problem.reason}`,
        );
      assertNoMaskedSecrets(runtime.reloader.current, name, request.body, runtime.redactor.keyPattern);
      const timings = new PhaseTimings();
      const outcome = await runtime.writer.writeModuleConfig(runtime.reloader.current, name, request.body, {
        actor: request.principal?.name ?? 'unknown',
        ifMatch: request.headers['if-match'],
        validate: (config) => runtime.validate(config),
        timings,
        signal: clientGone(reply),
      });
      const result = await timings.time('reload', () => runtime.handleChange(outcome.snapshot));
      reply.header('server-timing', timings.header());
      return reloadReply(outcome, result);
    },
  );
};
