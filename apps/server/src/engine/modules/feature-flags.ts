import { z } from 'zod';
import { InPlaceModule } from '../in-place-module.js';
import type { ModuleResponse, ModuleType } from '../types.js';

const FLAG_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The whole config is the map: `{ new-checkout: true, dark-mode: false }`. Names are checked on the
 * input's own keys, before `z.record` copies them: the copy assigns `__proto__` through the prototype
 * setter, so that key (with any value) vanished before a check on the output could see it.
 */
const schema = z
  .unknown()
  .superRefine((flags, ctx) => {
    if (flags === null || typeof flags !== 'object') return; // the record below says what is wrong
    for (const name of Object.keys(flags)) {
      if (!FLAG_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'flag names are letters, digits, ".", "_" or "-" (at most 64)',
        });
      }
    }
  })
  .pipe(z.record(z.string(), z.boolean()));

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
