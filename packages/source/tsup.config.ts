import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // `test` ships the in-memory store fake as `@cfg/source/test`, for other packages' tests;
    // `parse-worker` is the script `parseConfigAsync` starts in a worker thread (found next to index.js).
    entry: { index: 'src/index.ts', 'parse-worker': 'src/parse-worker.ts', test: 'test/memory-store.ts' },
    format: ['esm'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
  },
]);
