/**
 * Test helpers for packages that need PostgreSQL. In vitest.config.ts:
 * `globalSetup: ['@cfg/pg-store/testing']`, then per test file `createTestSchema()` or
 * `createTestDatabase()` in `beforeAll`, and their `drop()` in `afterAll`.
 */
export { type RunningServer, startEmbeddedPostgres } from './embedded.js';
export { freePort } from './free-port.js';
export { DEFAULT_DATABASE_URL, setup } from './global-setup.js';
export { startProxy, type TcpProxy } from './proxy.js';
export {
  createTestDatabase,
  createTestSchema,
  TEST_DATABASE_URL_ENV,
  type TestDatabase,
  type TestSchema,
  testDatabaseUrl,
} from './schema.js';
