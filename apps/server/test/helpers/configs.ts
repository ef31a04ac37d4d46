import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type AppConfig, type ConfigSnapshot, hashConfig, type ModuleConfig } from '@cfg/source';

/** test/fixtures/config.yaml: a copy of the example config (greeter message "Hello from the test fixture"). */
export const FIXTURE_FILE = fileURLToPath(new URL('../fixtures/config.yaml', import.meta.url));

export function readFixture(): Promise<string> {
  return readFile(FIXTURE_FILE, 'utf8');
}

/** A config using every built-in module type, small enough to read in a test. */
export function sampleConfig(overrides: { message?: string; rps?: number; body?: unknown } = {}): AppConfig {
  return {
    modules: [
      { name: 'greeter', type: 'greeter', config: { message: overrides.message ?? 'hello' } },
      { name: 'limiter', type: 'rate-limiter', config: { rps: overrides.rps ?? 1000, burst: 1000 } },
      { name: 'flags', type: 'feature-flags', config: { 'loud-welcome': false } },
      {
        name: 'status',
        type: 'static-response',
        config: { path: '/status', body: overrides.body ?? { ok: true } },
      },
      {
        name: 'welcome',
        type: 'welcome',
        dependsOn: ['greeter', 'flags'],
        config: { loudFlag: 'loud-welcome' },
      },
    ],
  };
}

/** `config` with module `name`'s config replaced (a copy; the input is untouched). */
export function withModuleConfig(config: AppConfig, name: string, next: Record<string, unknown>): AppConfig {
  return {
    ...config,
    modules: config.modules.map((m): ModuleConfig => (m.name === name ? { ...m, config: next } : m)),
  };
}

export function snapshotOf(config: AppConfig, source = 'test'): ConfigSnapshot {
  return { config, hash: hashConfig(config), source, loadedAt: new Date() };
}
