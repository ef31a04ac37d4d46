import type { AppConfig, ConfigSnapshot } from '@cfg/source';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigReloader,
  type ConfigValidator,
  isReconfigurable,
  type Reconfigurable,
  type ReloadResult,
  type ReloadTarget,
} from '../src/index.js';

interface MyConfig extends AppConfig {
  platform: { region: string };
}

describe('public types', () => {
  it('carries the config type through target, validator, current and events', () => {
    const target: ReloadTarget<MyConfig> = {
      getModule: () => undefined,
      fullReload: async (next) => {
        expectTypeOf(next.platform.region).toEqualTypeOf<string>();
      },
    };
    const initial: ConfigSnapshot<MyConfig> = {
      config: { modules: [], platform: { region: 'eu' } },
      hash: 'h',
      source: 's',
      loadedAt: new Date(),
    };
    const reloader = new ConfigReloader({
      initial,
      target,
      validate: (config) => {
        expectTypeOf(config).toEqualTypeOf<MyConfig>();
      },
    });
    expectTypeOf(reloader.current).toEqualTypeOf<ConfigSnapshot<MyConfig>>();
    expectTypeOf(reloader.handleChange).returns.toEqualTypeOf<Promise<ReloadResult>>();
    reloader.on('reload', (result) => expectTypeOf(result).toEqualTypeOf<ReloadResult>());
    reloader.on('current:update', ({ current }) =>
      expectTypeOf(current.config.platform).toEqualTypeOf<{ region: string }>(),
    );
    // @ts-expect-error unknown event names are refused
    reloader.on('reloaded', () => {});
  });

  it('accepts sync and async validator functions and any Standard Schema', () => {
    expectTypeOf(() => {}).toExtend<ConfigValidator>();
    expectTypeOf(async () => [{ path: 'a', message: 'b' }]).toExtend<ConfigValidator>();
    expectTypeOf(z.object({ modules: z.array(z.unknown()) })).toExtend<ConfigValidator>();
    expectTypeOf(() => 'yes').not.toExtend<ConfigValidator>();
  });

  it('narrows with isReconfigurable', () => {
    const module: unknown = { reconfigure() {} };
    if (isReconfigurable(module)) expectTypeOf(module).toEqualTypeOf<Reconfigurable>();
  });
});
