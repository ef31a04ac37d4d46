import { describe, expect, it } from 'vitest';
import { basicAuthType } from '../../../src/engine/modules/basic-auth.js';
import { createModule, parseFor } from '../../helpers/modules.js';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('basic-auth', () => {
  const config = { paths: ['/admin'], username: 'admin', password: 'pässword:with-colon' };

  it('lets the right user name and password in, and refuses everything else with its realm', () => {
    const auth = createModule(basicAuthType, config, { name: 'guard' });
    expect(auth.authorize('/admin', basic('admin', 'pässword:with-colon'))).toEqual({ allowed: true });
    const refused = { allowed: false, realm: 'cfg', guard: 'guard' };
    for (const header of [
      undefined,
      basic('admin', 'wrong'),
      basic('Admin', 'pässword:with-colon'),
      basic('admin', 'pässword:with-colon '),
      'Bearer abc',
      'Basic not*base64',
      `Basic ${'A'.repeat(5000)}`,
    ])
      expect(auth.authorize('/admin', header)).toEqual(refused);
    expect(auth.authorize('/hello', undefined)).toBeNull(); // not its path
  });

  it('a new password applies in place: the old one is refused from then on', () => {
    const auth = createModule(basicAuthType, config);
    auth.reconfigure({ name: 'a', type: 'basic-auth', config: { ...config, password: 'rotated' } });
    expect(auth.authorize('/admin', basic('admin', 'rotated'))).toEqual({ allowed: true });
    expect(auth.authorize('/admin', basic('admin', 'pässword:with-colon'))?.allowed).toBe(false);
  });

  it('refuses a user name with ":", an empty password, and a realm that would need escaping', () => {
    expect(() => parseFor(basicAuthType, { ...config, username: 'a:b' })).toThrow(/cannot contain ":"/);
    expect(() => parseFor(basicAuthType, { ...config, password: '' })).toThrow();
    expect(() => parseFor(basicAuthType, { ...config, realm: 'say "hi"' })).toThrow(/realm/);
    expect(() => parseFor(basicAuthType, { ...config, extra: 1 })).toThrow();
    expect(parseFor(basicAuthType, config).realm).toBe('cfg');
  });
});
