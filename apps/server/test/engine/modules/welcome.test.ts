import { describe, expect, it } from 'vitest';
import { featureFlagsType } from '../../../src/engine/modules/feature-flags.js';
import { greeterType } from '../../../src/engine/modules/greeter.js';
import { welcomeType } from '../../../src/engine/modules/welcome.js';
import { createModule } from '../../helpers/modules.js';

describe('welcome (dependsOn greeter and feature-flags)', () => {
  it('follows the greeter it depends on and the flag it watches, in place', () => {
    const greeter = createModule(greeterType, { message: 'hi' }, { name: 'greeter' });
    const flags = createModule(featureFlagsType, { loud: false }, { name: 'flags' });
    const deps = new Map<string, typeof greeter | typeof flags>([
      ['greeter', greeter],
      ['flags', flags],
    ]);
    const welcome = createModule(welcomeType, { template: '>> {message}', loudFlag: 'loud' }, { deps });
    expect(welcome.respond().body).toEqual({ message: '>> hi' });
    greeter.reconfigure({ name: 'greeter', type: 'greeter', config: { message: 'bye' } });
    flags.reconfigure({ name: 'flags', type: 'feature-flags', config: { loud: true } });
    expect(welcome.respond().body).toEqual({ message: '>> BYE' });
  });

  it('cannot be built without a greeter', () => {
    expect(() => createModule(welcomeType, {})).toThrow(/needs a greeter/);
  });
});
