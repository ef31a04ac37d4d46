/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are reference syntax. */
import { parseConfig, SECRET_KEY_PATTERN, SECRET_MASK } from '@cfg/source';
import { describe, expect, it } from 'vitest';
import { maskStoredText, StoredTextMasker } from '../../src/secrets/stored-text.js';

const opts = { keyPattern: SECRET_KEY_PATTERN, filename: 'database:default', maxDocumentBytes: 1 << 20 };

describe('maskStoredText', () => {
  it('masks literal values under secret keys, keeps every other byte, and shows pure references', () => {
    const text = `# the database
modules:
  - name: db
    type: x
    config:
      user: app # who
      password: hunter2-literal # a literal secret
      apiKey: \${file:/run/secrets/api-key}
      token: \${env:APP_TOKEN:-dev-default-token}
      url: postgres://app:\${env:DB_PASSWORD}@db/app
      credentials:
        id: app-id-1
        keys: [k-one, 'k-two']
      note: |
        keep me
`;
    const masked = maskStoredText(text, opts);
    expect(masked).not.toMatch(/hunter2-literal|dev-default-token|app-id-1|k-one|k-two/);
    expect(masked).toContain('# the database\nmodules:\n'); // comments and layout stay
    expect(masked).toContain(`password: "${SECRET_MASK}" # a literal secret`);
    expect(masked).toContain('apiKey: ${file:/run/secrets/api-key}'); // says where, not what
    expect(masked).toContain('url: postgres://app:${env:DB_PASSWORD}@db/app'); // not a secret key
    const config = parseConfig(masked, { filename: 'masked.yaml' });
    expect(config.modules[0]!.config).toEqual({
      user: 'app',
      password: SECRET_MASK,
      apiKey: '${file:/run/secrets/api-key}',
      token: SECRET_MASK,
      url: 'postgres://app:${env:DB_PASSWORD}@db/app',
      credentials: { id: SECRET_MASK, keys: [SECRET_MASK, SECRET_MASK] },
      note: 'keep me\n',
    });
  });

  it('masks a block scalar without joining the next line, numbers, and what an alias under a secret key points at', () => {
    const text = `defaults: &pw
  plain: shared-value-9
modules:
  - name: m
    type: x
    config:
      privateKey: |
        -----BEGIN KEY-----
        abcdef
      apiKey: 123456
      secret: *pw
      empty: null
`;
    const masked = maskStoredText(text, opts);
    expect(masked).not.toMatch(/BEGIN KEY|abcdef|123456|shared-value-9/);
    const config = parseConfig(masked, { filename: 'masked.yaml' });
    expect(config.modules[0]!.config).toEqual({
      privateKey: SECRET_MASK,
      apiKey: SECRET_MASK,
      secret: { plain: SECRET_MASK },
      empty: null,
    });
  });

  it('masks JSON text as JSON', () => {
    const text = '{"modules":[{"name":"m","type":"x","config":{"password":"p4ssw0rd!","n":1}}]}';
    const masked = maskStoredText(text, opts);
    expect(JSON.parse(masked).modules[0].config).toEqual({ password: SECRET_MASK, n: 1 });
  });

  it('returns a text no secret key could be in as it is, without parsing it (even a broken one)', () => {
    const text = 'modules: [\n  - name: broken: yes: [';
    expect(maskStoredText(text, opts)).toBe(text);
  });

  it('withholds a text that may hold a secret but does not parse', () => {
    const masked = maskStoredText('modules:\n  - password: [unclosed hunter2\n', opts);
    expect(masked).not.toContain('hunter2');
    expect(masked).toMatch(/^# cfg: this version does not parse \(line \d+, column \d+\)/);
  });

  it('StoredTextMasker gives the same answer from its cache', () => {
    const masker = new StoredTextMasker(opts);
    const text = 'modules:\n  - name: m\n    type: x\n    config: { token: abcdefgh }\n';
    const first = masker.mask(text, 'h1');
    expect(first).not.toContain('abcdefgh');
    expect(masker.mask('something else entirely', 'h1')).toBe(first); // by stored hash: versions never change
  });
});
