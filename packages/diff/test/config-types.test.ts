import type * as source from '@cfg/source';
import { describe, expectTypeOf, it } from 'vitest';
import type { AppConfig, ModuleConfig, SecretKeyPattern } from '../src/config-types.js';
import { type ConfigDiff, diffConfigs, type ModuleChange } from '../src/index.js';

describe("the shapes this package declares are @cfg/source's", () => {
  it('both ways: a source config is a diff config, and back', () => {
    expectTypeOf<source.AppConfig>().toEqualTypeOf<AppConfig>();
    expectTypeOf<source.ModuleConfig>().toEqualTypeOf<ModuleConfig>();
    expectTypeOf<source.SecretKeyPattern>().toEqualTypeOf<SecretKeyPattern>();
  });

  it('takes what @cfg/source loads, and hands back its modules', () => {
    expectTypeOf(diffConfigs).toBeCallableWith({} as source.AppConfig, {} as source.AppConfig);
    expectTypeOf<ModuleChange['next']>().toExtend<source.ModuleConfig>();
    expectTypeOf<ConfigDiff['modules']['added'][number]>().toExtend<source.ModuleConfig>();
  });
});
