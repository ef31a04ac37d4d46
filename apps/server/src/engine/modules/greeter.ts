import { z } from 'zod';
import { InPlaceModule } from '../in-place-module.js';
import type { ModuleResponse, ModuleType } from '../types.js';

const schema = z.strictObject({
  /** What `GET /hello` answers. */
  message: z.string().min(1).max(1000),
});

export type GreeterConfig = z.infer<typeof schema>;

/** Serves `GET /hello` → `{ message }`. Reconfigurable: a new message applies in place. */
export class Greeter extends InPlaceModule<GreeterConfig> {
  get message(): string {
    return this.config.message;
  }

  respond(): ModuleResponse {
    return { body: { message: this.message } };
  }
}

export const greeterType: ModuleType<GreeterConfig, Greeter> = {
  type: 'greeter',
  description: 'GET /hello answers { message }; the message changes in place.',
  reconfigurable: true,
  configSchema: schema,
  routes: () => ['/hello'],
  create: (ctx) => new Greeter(greeterType, ctx),
};
