// Bundled into dist/cli.js at build time, so the version needs no file lookup at run time.
import manifest from '../../package.json' with { type: 'json' };

/** This CLI's version (apps/server/package.json). */
export const CLI_VERSION: string = manifest.version;
