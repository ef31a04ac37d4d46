import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The CLI is the only entry: `cfg` (package.json `bin`) runs dist/cli.js.
    entry: ['src/cli.ts'],
    format: ['esm'],
    clean: true,
    sourcemap: true,
    target: 'node20',
  },
]);
