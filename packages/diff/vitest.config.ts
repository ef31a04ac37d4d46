import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // A ceiling, not a speed claim: fuzz suites are bounded by run counts, and CI machines are busy.
    testTimeout: 30_000,
  },
});
