import { type AppConfig, SECRET_MASK } from '@cfg/source';
import { describe, expect, it } from 'vitest';
import { MIN_SCRUBBED_LENGTH, REMEMBERED_SNAPSHOTS, Redactor } from '../../src/secrets/redactor.js';

const config = (password: string, extra: Record<string, unknown> = {}): AppConfig => ({
  modules: [
    { name: 'db', type: 'x', config: { url: `postgres://app:${password}@db/app`, user: 'app', ...extra } },
    { name: 'auth', type: 'basic-auth', config: { username: 'admin', password: 'literal-pw-123' } },
  ],
});

describe('Redactor', () => {
  it('masks a config by structure: reference paths and values under secret keys; the input is untouched', () => {
    const redactor = new Redactor();
    const input = config('from-a-file-42');
    const masked = redactor.config(input, ['/modules/0/config/url']);
    expect(masked.modules[0]!.config).toEqual({ url: SECRET_MASK, user: 'app' });
    expect(masked.modules[1]!.config).toEqual({ username: 'admin', password: SECRET_MASK });
    expect(input.modules[0]!.config!.url).toBe('postgres://app:from-a-file-42@db/app');
  });

  it('scrubs learned secrets out of free text, as written and as escaped inside JSON', () => {
    const redactor = new Redactor();
    expect(redactor.active).toBe(false);
    const secret = 'quote"and\\back-slash';
    redactor.learn({ config: config(secret), secretPaths: ['/modules/0/config/url'] });
    expect(redactor.active).toBe(true);
    const line = JSON.stringify({
      msg: `unknown type "postgres://app:${secret}@db/app"`,
      other: 'literal-pw-123',
    });
    const scrubbed = redactor.text(line);
    expect(scrubbed).not.toContain('literal-pw-123');
    expect(scrubbed).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(JSON.parse(scrubbed)).toEqual({ msg: `unknown type "${SECRET_MASK}"`, other: SECRET_MASK });
    // A value is known whole: the string that took a reference's value, the URL around it included.
    expect(redactor.text(`plain postgres://app:${secret}@db/app text`)).toBe(`plain ${SECRET_MASK} text`);
  });

  it('takes every character of a secret literally (no pattern syntax), and a secret inside a longer one masks whole', () => {
    const redactor = new Redactor();
    const odd = 'a.b*c+(d)|[e]$^{f}?\\/';
    redactor.learn({
      config: { modules: [{ name: 'm', type: 'x', config: { token: odd, apiKey: `${odd}-longer` } }] },
    });
    expect(redactor.text(`x ${odd} y ${odd}-longer z abc`)).toBe(`x ${SECRET_MASK} y ${SECRET_MASK} z abc`);
    expect(redactor.text('a-b-c-d')).toBe('a-b-c-d');
  });

  it('learns what changed: a module object it saw before is not walked again, a new one is', () => {
    const redactor = new Redactor();
    const kept = { name: 'kept', type: 'x', config: { password: 'kept-secret-1' } };
    redactor.learn({ config: { modules: [kept] } });
    redactor.learn({
      config: { modules: [kept, { name: 'new', type: 'x', config: { token: 'new-secret-2' } }] },
    });
    expect(redactor.text('kept-secret-1 new-secret-2')).toBe(`${SECRET_MASK} ${SECRET_MASK}`);
  });

  it(`leaves strings shorter than ${MIN_SCRUBBED_LENGTH} characters in text, but masks them as values`, () => {
    const redactor = new Redactor();
    const short = { modules: [{ name: 'm', type: 'x', config: { token: 'abc', maxTokens: 100 } }] };
    redactor.learn({ config: short });
    expect(redactor.text('abc 100 ms')).toBe('abc 100 ms');
    expect(redactor.config(short).modules[0]!.config).toEqual({ token: SECRET_MASK, maxTokens: SECRET_MASK });
  });

  it(`remembers the secrets of the last ${REMEMBERED_SNAPSHOTS} snapshots: a rotated-away one stays masked a while`, () => {
    const redactor = new Redactor();
    redactor.learn({ config: config('first-secret-0'), secretPaths: ['/modules/0/config/url'] });
    for (let i = 1; i < REMEMBERED_SNAPSHOTS; i++)
      redactor.learn({ config: config(`rotated-secret-${i}`), secretPaths: ['/modules/0/config/url'] });
    expect(redactor.text('postgres://app:first-secret-0@db/app')).toBe(SECRET_MASK);
    redactor.learn({ config: config('one-more-secret'), secretPaths: ['/modules/0/config/url'] });
    expect(redactor.text('postgres://app:first-secret-0@db/app')).toBe(
      'postgres://app:first-secret-0@db/app',
    );
  });

  it('redactOutbound copies only what it changes, and keeps __proto__ keys as plain data', () => {
    const redactor = new Redactor();
    redactor.learn({ config: config('secret-value-1'), secretPaths: ['/modules/0/config/url'] });
    const untouched = { a: { b: ['x', 1, null] }, at: new Date(0) };
    expect(redactor.redactOutbound(untouched, 'sse')).toBe(untouched);
    const result = JSON.parse(
      '{"issues":[{"path":"p","message":"bad literal-pw-123"}],"__proto__":{"x":"literal-pw-123"},"n":1}',
    );
    const scrubbed = redactor.redactOutbound(result, 'fleet');
    expect(scrubbed.issues[0].message).toBe(`bad ${SECRET_MASK}`);
    expect(Object.getPrototypeOf(scrubbed)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(scrubbed, '__proto__')?.value).toEqual({ x: SECRET_MASK });
    expect(result.issues[0].message).toBe('bad literal-pw-123'); // the input is not modified
  });

  it('learns the same config object once', () => {
    const redactor = new Redactor();
    const same = config('secret-value-2');
    for (let i = 0; i < REMEMBERED_SNAPSHOTS + 5; i++)
      redactor.learn({ config: same, secretPaths: ['/modules/0/config/url'] });
    redactor.learn({ config: config('another-one-3'), secretPaths: ['/modules/0/config/url'] });
    expect(redactor.text('postgres://app:secret-value-2@db/app')).toBe(SECRET_MASK);
  });
});
