import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Real files and real chokidar on a shared 2-core machine: tests wait on events, never on clocks.
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
