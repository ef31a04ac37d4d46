import type { PgConfigStore } from '@cfg/pg-store';
import type { AppConfig, ConfigSnapshot, DatabaseSource } from '@cfg/source';
import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { type BuildOptions, build } from '../../src/app.js';
import { TokenAuthenticator } from '../../src/auth/authenticator.js';
import type { ConsoleAssets } from '../../src/console/assets.js';
import type { ModuleRegistry } from '../../src/engine/registry.js';
import type { FleetAccess } from '../../src/routes/fleet.js';
import { Runtime } from '../../src/runtime.js';
import type { ConfigWriter } from '../../src/writers/types.js';
import { sampleConfig, snapshotOf } from './configs.js';
import { documentWriter } from './document-writer.js';

export const ADMIN = 'admin-token-0123456789';
export const READER = 'read-token-0123456789';

export interface TestApp {
  app: FastifyInstance;
  runtime: Runtime;
  /** `Authorization` headers for each role. */
  admin: { authorization: string };
  reader: { authorization: string };
}

const open: TestApp[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map(({ app, runtime }) => app.close().then(() => runtime.close())));
});

/** A fresh app on `config` (default: every module type), closed after the test. */
export async function buildTestApp(
  opts: {
    config?: AppConfig;
    /** The snapshot to start on, as a source loaded it (wins over `config` and `version`). */
    snapshot?: ConfigSnapshot;
    writer?: ConfigWriter;
    version?: number;
    sseHeartbeatMs?: number;
    registry?: ModuleRegistry;
    /** More `build` options (limits, a logger). */
    build?: Omit<BuildOptions, 'runtime' | 'auth'>;
    fleet?: FleetAccess;
    console?: ConsoleAssets | false;
  } = {},
): Promise<TestApp> {
  const initial = opts.snapshot ?? {
    ...snapshotOf(opts.config ?? sampleConfig()),
    ...(opts.version ? { version: opts.version } : {}),
  };
  const runtime = await Runtime.create({
    initial,
    ...(opts.writer ? { writer: opts.writer } : {}),
    ...(opts.registry ? { engine: { registry: opts.registry } } : {}),
  });
  const auth = new TokenAuthenticator([
    { name: 'root', role: 'admin', token: ADMIN },
    { name: 'viewer', role: 'read', token: READER },
  ]);
  const app = await build({
    runtime,
    auth,
    ...(opts.sseHeartbeatMs ? { sseHeartbeatMs: opts.sseHeartbeatMs } : {}),
    ...opts.build,
    ...(opts.fleet ? { fleet: opts.fleet } : {}),
    ...(opts.console === undefined ? {} : { console: opts.console }),
  });
  const testApp = {
    app,
    runtime,
    admin: { authorization: `Bearer ${ADMIN}` },
    reader: { authorization: `Bearer ${READER}` },
  };
  open.push(testApp);
  return testApp;
}

/**
 * An app in database mode: document `key` of `store`, written first as `text`, is the config, and
 * API writes become its next versions. `opts` as for `buildTestApp` (config, version and writer come
 * from the document).
 */
export async function buildDatabaseApp(
  store: PgConfigStore,
  key: string,
  text: string,
  opts: Omit<Parameters<typeof buildTestApp>[0] & object, 'config' | 'version' | 'writer' | 'snapshot'> = {},
  writerOpts: Parameters<typeof documentWriter>[2] = {},
): Promise<TestApp & { key: string; source: DatabaseSource }> {
  await store.putDocument(key, text, { actor: 'seed' });
  const { source, writer } = documentWriter(store, key, writerOpts);
  const initial = await source.load();
  return { key, source, ...(await buildTestApp({ ...opts, snapshot: initial, writer })) };
}
