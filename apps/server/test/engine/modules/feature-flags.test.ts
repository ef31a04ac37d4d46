import { parseConfig } from '@cfg/source';
import { describe, expect, it } from 'vitest';
import { featureFlagsType } from '../../../src/engine/modules/feature-flags.js';
import { ModuleRegistry } from '../../../src/engine/registry.js';
import { validateAppConfig } from '../../../src/engine/validate.js';
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

  it('a `__proto__` key goes through the name rule, whatever its value (JSON, YAML, a stored overlay)', () => {
    const flags = createModule(featureFlagsType, {});
    for (const config of [
      JSON.parse('{"__proto__": "anything"}'),
      JSON.parse('{"ok": true, "__proto__": true}'),
    ]) {
      expect(() => flags.prepareReconfigure({ name: 'f', type: 'feature-flags', config })).toThrow(
        /modules\.f\.config\.__proto__: flag names/,
      );
    }
    for (const text of [
      'modules:\n  - name: flags\n    type: feature-flags\n    config:\n      __proto__: true\n',
      '{"modules":[{"name":"flags","type":"feature-flags","config":{"__proto__":{"x":1}}}]}',
    ]) {
      const outcome = validateAppConfig(parseConfig(text, { filename: 't' }), new ModuleRegistry());
      expect(outcome).toMatchObject({ ok: false, issues: [{ path: 'modules.flags.config.__proto__' }] });
    }
  });
});
