import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // `test` ships the in-memory store fake as `@cfg/source/test`, for other packages' tests.
    entry: { index: 'src/index.ts', test: 'test/memory-store.ts' },
    format: ['esm'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
  },
]);
