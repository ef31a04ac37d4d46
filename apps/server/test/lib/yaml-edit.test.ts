import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ModuleNotInDocumentError, setModuleConfig } from '../../src/lib/yaml-edit.js';

const TEXT = `# top comment
modules:
  # the greeter
  - name: greeter
    type: greeter
    config:
      message: hi # inline
  - name: other
    type: greeter # keep me
    config: { message: x }
platform: { region: local }
`;

describe('setModuleConfig', () => {
  it('replaces one module config and keeps every comment and the rest of the layout', () => {
    const out = setModuleConfig(TEXT, 'other', { message: 'new' });
    expect(out).toContain('# top comment');
    expect(out).toContain('# the greeter');
    expect(out).toContain('message: hi # inline');
    expect(out).toContain('type: greeter # keep me');
    expect(out).toContain('platform: { region: local }');
    expect(parse(out).modules[1]).toEqual({ name: 'other', type: 'greeter', config: { message: 'new' } });
  });

  it('appends a module entry in block style when asked, even to `modules: []`', () => {
    const out = setModuleConfig(
      '# overlay\nmodules: []\n',
      'greeter',
      { message: 'm' },
      { append: { type: 'greeter' } },
    );
    expect(out).toBe(
      '# overlay\nmodules:\n  - name: greeter\n    type: greeter\n    config:\n      message: m\n',
    );
  });

  it('refuses a missing module unless appending', () => {
    expect(() => setModuleConfig(TEXT, 'ghost', {})).toThrow(ModuleNotInDocumentError);
  });

  it('keeps JSON documents JSON', () => {
    const out = setModuleConfig('{"modules":[{"name":"g","type":"greeter","config":{"message":"a"}}]}', 'g', {
      message: 'b',
    });
    expect(JSON.parse(out)).toEqual({ modules: [{ name: 'g', type: 'greeter', config: { message: 'b' } }] });
  });
});
