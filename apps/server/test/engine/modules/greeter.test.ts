import { ConfigValidationError } from '@cfg/source';
import { describe, expect, it } from 'vitest';
import { greeterType } from '../../../src/engine/modules/greeter.js';
import { createModule } from '../../helpers/modules.js';

describe('greeter', () => {
  it('answers its message and takes a new one in place', () => {
    const greeter = createModule(greeterType, { message: 'hi' });
    expect(greeter.respond()).toEqual({ body: { message: 'hi' } });
    greeter.reconfigure({ name: 'greeter', type: 'greeter', config: { message: 'bye' } });
    expect(greeter.respond()).toEqual({ body: { message: 'bye' } });
  });

  it('prepareReconfigure validates without changing anything', () => {
    const greeter = createModule(greeterType, { message: 'hi' });
    expect(() =>
      greeter.prepareReconfigure({ name: 'greeter', type: 'greeter', config: { message: '' } }),
    ).toThrow(ConfigValidationError);
    expect(() => greeter.reconfigure({ name: 'greeter', type: 'greeter', config: { message: 3 } })).toThrow(
      ConfigValidationError,
    );
    expect(greeter.message).toBe('hi');
  });
});
