import { afterAll } from 'vitest';
import { stopAllServers } from './cfg-process.js';

// The helpers live in cfg-process.ts (no vitest there, so the benches share them); a test file that
// imports them from here gets every server it started killed after its last test.
export * from './cfg-process.js';

afterAll(stopAllServers);
