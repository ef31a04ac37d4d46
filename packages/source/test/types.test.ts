import { describe, expect, expectTypeOf, it } from 'vitest';
import { type AppConfig, createDefineConfig, defineConfig, type ModuleConfig } from '../src/index.js';

describe('defineConfig', () => {
  it('returns its argument and keeps literal types', () => {
    const config = defineConfig({
      modules: [{ name: 'http', type: 'http.server', config: { port: 8080 } }],
      platform: { region: 'eu' },
    });
    expect(defineConfig(config)).toBe(config);
    expectTypeOf(config).toExtend<AppConfig>();
    expectTypeOf(config.modules[0].name).toEqualTypeOf<'http'>();
    expectTypeOf(config.platform.region).toEqualTypeOf<'eu'>();
  });

  it('rejects what is not an AppConfig', () => {
    // @ts-expect-error modules is required
    defineConfig({ platform: {} });
    // @ts-expect-error a module needs a type
    defineConfig({ modules: [{ name: 'http' }] });
  });

  it('createDefineConfig checks your own sections', () => {
    interface MyConfig extends AppConfig {
      platform: { region: 'eu' | 'us' };
    }
    const defineMyConfig = createDefineConfig<MyConfig>();
    const ok = defineMyConfig({ modules: [], platform: { region: 'us' } });
    expectTypeOf(ok).toExtend<MyConfig>();
    // @ts-expect-error region must be 'eu' or 'us'
    defineMyConfig({ modules: [], platform: { region: 'mars' } });
    expectTypeOf<MyConfig['modules']>().toEqualTypeOf<ModuleConfig[]>();
  });
});
