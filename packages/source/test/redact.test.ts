import { describe, expect, it } from 'vitest';
import { isSecretKey, redactConfig, SECRET_KEY_PATTERN, SECRET_MASK, secretStrings } from '../src/index.js';

const config = {
  modules: [
    {
      name: 'db',
      type: 'postgres',
      config: {
        host: 'db.internal',
        url: 'postgres://app:hunter2@db/app', // came from a reference
        password: 'hunter2',
        pool: { max: 10, apiKey: 12345, clientSecret: null },
        credentials: { user: 'app', keys: ['k1', { id: 2, enabled: true }] },
      },
    },
  ],
  platform: { region: 'eu', authToken: 'abc' },
};

describe('redactConfig', () => {
  it('masks reference paths and everything under secret keys; keys, structure and null stay', () => {
    const before = structuredClone(config);
    const redacted = redactConfig(config, { secretPaths: ['/modules/0/config/url'] });
    expect(redacted).toEqual({
      modules: [
        {
          name: 'db',
          type: 'postgres',
          config: {
            host: 'db.internal',
            url: SECRET_MASK,
            password: SECRET_MASK,
            pool: { max: 10, apiKey: SECRET_MASK, clientSecret: null },
            credentials: {
              user: SECRET_MASK,
              keys: [SECRET_MASK, { id: SECRET_MASK, enabled: SECRET_MASK }],
            },
          },
        },
      ],
      platform: { region: 'eu', authToken: SECRET_MASK },
    });
    expect(config).toEqual(before);
    expect(JSON.stringify(redacted)).not.toMatch(/hunter2|abc|12345|k1/);
  });

  it('takes another pattern, a function, or none; and another mask', () => {
    expect(redactConfig({ password: 'x', pin: '1' }, { keyPattern: /^pin$/ })).toEqual({
      password: 'x',
      pin: SECRET_MASK,
    });
    expect(redactConfig({ a: 'x', b: 'y' }, { keyPattern: (key) => key === 'b', mask: '[hidden]' })).toEqual({
      a: 'x',
      b: '[hidden]',
    });
    expect(redactConfig({ password: 'x', s: 'y' }, { keyPattern: false, secretPaths: ['/s'] })).toEqual({
      password: 'x',
      s: SECRET_MASK,
    });
    // A /g pattern keeps state between `test` calls; results must not alternate.
    const global = /secret/gi;
    expect(redactConfig({ secret1: 'a', secret2: 'b', secret3: 'c' }, { keyPattern: global })).toEqual({
      secret1: SECRET_MASK,
      secret2: SECRET_MASK,
      secret3: SECRET_MASK,
    });
  });

  it('pointers address escaped keys; `__proto__` stays plain data', () => {
    const value = JSON.parse('{"a/b": {"~x": "s"}, "__proto__": {"polluted": "no"}}') as Record<
      string,
      unknown
    >;
    const redacted = redactConfig(value, { secretPaths: ['/a~1b/~0x'] });
    expect(redacted['a/b']).toEqual({ '~x': SECRET_MASK });
    expect(Object.hasOwn(redacted, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('isSecretKey and SECRET_KEY_PATTERN', () => {
  it('match the usual names in any case and spelling, and leave the rest', () => {
    const secret = [
      'password',
      'DB_PASSWORD',
      'passwd',
      'passphrase',
      'clientSecret',
      'secrets',
      'token',
      'authToken',
      'apiKey',
      'api_key',
      'API-KEY',
      'privateKey',
      'private_key',
      'accessKey',
      'credentials',
      'Authorization',
      'maxTokens',
    ];
    const plain = ['user', 'host', 'port', 'key', 'public', 'keys', 'passage', 'author', 'compass'];
    expect(secret.filter((key) => !isSecretKey(key))).toEqual([]);
    expect(plain.filter((key) => isSecretKey(key))).toEqual([]);
    expect(SECRET_KEY_PATTERN.flags).toContain('i');
  });
});

describe('secretStrings', () => {
  it('lists what a log line must not contain', () => {
    expect(secretStrings(config, { secretPaths: ['/modules/0/config/url'] })).toEqual(
      new Set(['postgres://app:hunter2@db/app', 'hunter2', '12345', 'app', 'k1', '2', 'true', 'abc']),
    );
  });
});
