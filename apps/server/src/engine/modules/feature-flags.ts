import { z } from 'zod';
import { InPlaceModule } from '../in-place-module.js';
import type { ModuleResponse, ModuleType } from '../types.js';

const FLAG_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The whole config is the map: `{ new-checkout: true, dark-mode: false }`. */
const schema = z.record(z.string(), z.boolean()).superRefine((flags, ctx) => {
  for (const name of Object.keys(flags)) {
    if (!FLAG_NAME.test(name)) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: 'flag names are letters, digits, ".", "_" or "-" (at most 64)',
      });
    }
  }
});

export type FeatureFlagsConfig = z.infer<typeof schema>;

/** Serves `GET /flags` → `{ flags }`. Reconfigurable: the whole map is swapped in place. */
export class FeatureFlags extends InPlaceModule<FeatureFlagsConfig> {
  isEnabled(flag: string): boolean {
    return Object.hasOwn(this.config, flag) && this.config[flag] === true;
  }

  respond(): ModuleResponse {
    return { body: { flags: this.config } };
  }
}

export const featureFlagsType: ModuleType<FeatureFlagsConfig, FeatureFlags> = {
  type: 'feature-flags',
  description: 'GET /flags answers { flags }; the config is the map of flag → boolean, swapped in place.',
  reconfigurable: true,
  configSchema: schema,
  routes: () => ['/flags'],
  create: (ctx) => new FeatureFlags(featureFlagsType, ctx),
};
