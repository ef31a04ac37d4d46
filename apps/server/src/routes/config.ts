import type { FastifyPluginAsync } from 'fastify';
import type { TokenAuthenticator } from '../auth/authenticator.js';
import { clientGone } from '../http/client-gone.js';
import { codes } from '../http/errors.js';
import { boundedResult } from '../observability/reload-log.js';
import type { Runtime } from '../runtime.js';
import { StoredTextMasker } from '../secrets/stored-text.js';
import { describeSkipped, skippedOverlayEntries } from '../sources/overlay-merge.js';
import type { ConfigVersions } from '../writers/types.js';
import { reloadReply } from './reload-reply.js';
import { anyObject, ifMatchHeaders, versionNumber } from './schemas.js';

/**
 * The applied config, the server's status, and — with a store — the stored document's history,
 * single versions and rollback. Secrets are masked: the config's by structure (values from
 * references, values under secret keys), a stored text's literal values under secret keys in the
 * text (`maskStoredText`; references are shown: they are not secret).
 */
export const configRoutes: FastifyPluginAsync<{
  runtime: Runtime;
  auth: TokenAuthenticator;
  /** Stored texts up to this size are parsed to mask them. */
  maxDocumentBytes: number;
}> = async (app, { runtime, auth, maxDocumentBytes }) => {
  const texts = new StoredTextMasker({
    keyPattern: runtime.redactor.keyPattern,
    filename: runtime.writer.key ?? 'stored document',
    maxDocumentBytes,
  });
  const versions = (): ConfigVersions => {
    const v = runtime.writer.versions;
    if (!v) throw codes.CFG_ERR_NOT_PERSISTENT('history');
    return v;
  };

  app.get(
    '/config',
    { onRequest: auth.require('read'), schema: { response: { 200: anyObject } } },
    async (_request, reply) => {
      const current = runtime.reloader.current;
      // The If-Match a PUT expects: the stored version, or (file mode) the config hash.
      const tag = runtime.writer.versions ? current.version : current.hash;
      if (tag !== undefined) reply.header('etag', `"${tag}"`);
      return {
        mode: runtime.writer.mode,
        key: runtime.writer.key,
        source: current.source,
        hash: current.hash,
        version: current.version,
        loadedAt: current.loadedAt,
        config: runtime.redactor.config(current.config, current.secretPaths),
        // Where values came from references (masked above): not secret, and it says why they are masked.
        secretPaths: current.secretPaths ?? [],
      };
    },
  );

  app.get(
    '/status',
    { onRequest: auth.require('read'), schema: { response: { 200: anyObject } } },
    async () => {
      const status = runtime.status();
      const { lastResult } = status.reloader;
      const skipped = skippedOverlayEntries(runtime.reloader.current.config);
      return {
        mode: runtime.writer.mode,
        ...status,
        // As bounded as the reload records: a rejection can carry tens of thousands of issues.
        reloader: { ...status.reloader, lastResult: lastResult && boundedResult(lastResult) },
        ...(runtime.writer.mode === 'overlay'
          ? { overlay: { notApplied: skipped.map((e) => ({ ...e, message: describeSkipped(e) })) } }
          : {}),
      };
    },
  );

  app.get<{ Querystring: { limit?: number; before?: number } }>(
    '/config/history',
    {
      onRequest: auth.require('read'),
      schema: {
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500 },
            before: versionNumber,
          },
        },
        response: { 200: anyObject },
      },
    },
    async (request) => {
      const { limit, before } = request.query;
      const store = versions();
      const history = await store.history({
        ...(limit === undefined ? {} : { limit }),
        ...(before === undefined ? {} : { beforeVersion: before }),
      });
      return { key: store.key, history };
    },
  );

  app.get<{ Params: { version: number } }>(
    '/config/versions/:version',
    {
      onRequest: auth.require('read'),
      schema: {
        params: { type: 'object', properties: { version: versionNumber } },
        response: { 200: anyObject },
      },
    },
    async (request) => {
      const version = await versions().getVersion(request.params.version);
      return version.data === null ? version : { ...version, data: texts.mask(version.data, version.hash) };
    },
  );

  app.post<{ Body: { version: number }; Headers: { 'if-match'?: string } }>(
    '/config/rollback',
    {
      onRequest: auth.require('admin'),
      schema: {
        headers: ifMatchHeaders,
        body: {
          type: 'object',
          required: ['version'],
          properties: { version: versionNumber },
        },
        response: { 200: anyObject },
      },
    },
    async (request, reply) => {
      const outcome = await versions().rollback(request.body.version, {
        actor: request.principal?.name ?? 'unknown',
        ifMatch: request.headers['if-match'],
        validate: (config) => runtime.validate(config),
        signal: clientGone(reply),
      });
      return reloadReply(outcome, await runtime.handleChange(outcome.snapshot));
    },
  );
};
