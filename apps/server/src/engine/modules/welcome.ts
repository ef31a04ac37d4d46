import { z } from 'zod';
import { InPlaceModule } from '../in-place-module.js';
import type { ModuleContext, ModuleResponse, ModuleType } from '../types.js';
import { FeatureFlags } from './feature-flags.js';
import { Greeter } from './greeter.js';

const schema = z.strictObject({
  /** `{message}` is replaced by the greeter's current message. */
  template: z.string().min(1).max(1000).default('Welcome! {message}'),
  /** When this flag is on in the feature-flags module, the text is upper-cased. */
  loudFlag: z.string().min(1).max(64).optional(),
});

export type WelcomeConfig = z.infer<typeof schema>;

/**
 * Serves `GET /welcome`, built from the modules it `dependsOn`: a greeter (required) and a
 * feature-flags module (optional). It holds those instances, so when the greeter's message changes
 * in place, `/welcome` follows without being rebuilt. Reconfigurable: template and flag change in place.
 */
export class Welcome extends InPlaceModule<WelcomeConfig> {
  readonly #greeter: Greeter;
  readonly #flags: FeatureFlags | undefined;

  constructor(ctx: ModuleContext<WelcomeConfig>) {
    super(welcomeType, ctx);
    const deps = [...ctx.deps.values()];
    const greeter = deps.find((d) => d instanceof Greeter);
    // Validation checks `needs` before anything is built; this guards direct use of the class.
    if (!greeter) throw new Error(`module "${ctx.name}" needs a greeter in dependsOn`);
    this.#greeter = greeter;
    this.#flags = deps.find((d) => d instanceof FeatureFlags);
  }

  respond(): ModuleResponse {
    const { template, loudFlag } = this.config;
    const text = template.replaceAll('{message}', this.#greeter.message);
    const loud = loudFlag !== undefined && this.#flags?.isEnabled(loudFlag) === true;
    return { body: { message: loud ? text.toUpperCase() : text } };
  }
}

export const welcomeType: ModuleType<WelcomeConfig, Welcome> = {
  type: 'welcome',
  description: 'GET /welcome renders a template with the greeter it dependsOn; optional feature flag.',
  reconfigurable: true,
  configSchema: schema,
  needs: { greeter: 'required', 'feature-flags': 'optional' },
  routes: () => ['/welcome'],
  create: (ctx) => new Welcome(ctx),
};
