import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Picks a PostgreSQL once per run (DATABASE_URL, the local server, or an embedded one).
    globalSetup: ['@cfg/pg-store/testing'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
