// Bundled into dist/cli.js at build time, so the version needs no file lookup at run time.
import manifest from '../package.json' with { type: 'json' };

/** The version of the server and its CLI (apps/server/package.json). */
export const SERVER_VERSION: string = manifest.version;
