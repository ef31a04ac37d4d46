import { describe, expect, it } from 'vitest';
import { featureFlagsType } from '../../../src/engine/modules/feature-flags.js';
import { createModule } from '../../helpers/modules.js';

describe('feature-flags', () => {
  it('serves the map and swaps it whole', () => {
    const flags = createModule(featureFlagsType, { beta: true, dark: false });
    expect(flags.respond()).toEqual({ body: { flags: { beta: true, dark: false } } });
    flags.reconfigure({ name: 'flags', type: 'feature-flags', config: { dark: true } });
    expect(flags.isEnabled('dark')).toBe(true);
    expect(flags.isEnabled('beta')).toBe(false);
  });

  it('never reads inherited keys as flags', () => {
    const flags = createModule(featureFlagsType, {});
    expect(flags.isEnabled('toString')).toBe(false);
    expect(flags.isEnabled('__proto__')).toBe(false);
  });

  it('rejects non-boolean values and odd flag names', () => {
    const flags = createModule(featureFlagsType, {});
    expect(() =>
      flags.prepareReconfigure({ name: 'f', type: 'feature-flags', config: { beta: 'yes' } }),
    ).toThrow(/modules\.f\.config\.beta/);
    expect(() =>
      flags.prepareReconfigure({ name: 'f', type: 'feature-flags', config: { 'a b': true } }),
    ).toThrow(/flag names/);
  });
});
