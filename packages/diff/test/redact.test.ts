import { describe, expect, it } from 'vitest';
import {
  diffConfigs,
  diffModules,
  formatConfigDiff,
  formatPathChange,
  isSecretPath,
  redactDiff,
} from '../src/index.js';
import { app, mod } from './helpers.js';

// What @cfg/source exports as SECRET_KEY_PATTERN; this package may import its types only.
const KEYS = /passw(?:or)?d|secret|token|api[-_]?key/i;

/** `db`'s password came from a reference: at module 1 before, module 0 after (the modules moved). */
const previous = app([
  mod('cache', { config: { size: 10 } }),
  mod('db', { config: { url: 'postgres://app:old-pw@db/app', pool: 5, apiKey: 'k-old' } }),
]);
const next = app([
  mod('db', {
    config: { url: 'postgres://app:new-pw@db/app', pool: 6, apiKey: 'k-new', tls: { token: 't' } },
  }),
  mod('cache', { config: { size: 10 } }),
  mod('mail', { config: { host: 'smtp', password: 'p' } }),
]);
const redact = {
  previousSecretPaths: ['/modules/1/config/url'],
  nextSecretPaths: ['/modules/0/config/url'],
  keyPattern: KEYS,
};

describe('diffConfigs with redact', () => {
  it('reports that a secret path changed, without its values, on either side of a move', () => {
    const diff = diffConfigs(previous, next, { redact });
    expect(diff.modules.modified.map((m) => m.paths)).toEqual([
      [
        { op: 'replace', path: '/config/url', previous: '******', next: '******', secret: true },
        { op: 'replace', path: '/config/pool', previous: 5, next: 6 },
        { op: 'replace', path: '/config/apiKey', previous: '******', next: '******', secret: true },
        { op: 'add', path: '/config/tls', next: { token: '******' } },
      ],
    ]);
    expect(formatConfigDiff(diff)).toEqual([
      '+ module mail (http)',
      '~ module db: replace /config/url: (secret changed)',
      '~ module db: replace /config/pool: 5 -> 6',
      '~ module db: replace /config/apiKey: (secret changed)',
      '~ module db: add /config/tls: {"token":"******"}',
    ]);
  });

  it('masks whole modules too: added, removed, and both sides of a modified one', () => {
    const diff = diffConfigs(previous, next, { redact });
    expect(diff.modules.added).toEqual([mod('mail', { config: { host: 'smtp', password: '******' } })]);
    const [db] = diff.modules.modified;
    expect(db!.previous.config).toEqual({ url: '******', pool: 5, apiKey: '******' });
    expect(db!.next.config).toEqual({ url: '******', pool: 6, apiKey: '******', tls: { token: '******' } });
    const removed = diffModules(next, previous, {
      redact: { ...redact, previousSecretPaths: redact.nextSecretPaths },
    });
    expect(removed.removed).toEqual([mod('mail', { config: { host: 'smtp', password: '******' } })]);
    expect(JSON.stringify(diff)).not.toMatch(/old-pw|new-pw|k-old|k-new|"p"|"t"/);
  });

  it('a rotated secret alone is one masked change, and the same verdicts as without redact', () => {
    const before = app([mod('db', { config: { url: 'a' } })]);
    const after = app([mod('db', { config: { url: 'b' } })]);
    const paths = ['/modules/0/config/url'];
    const plain = diffConfigs(before, after);
    const masked = diffConfigs(before, after, {
      redact: { previousSecretPaths: paths, nextSecretPaths: paths, keyPattern: false, mask: '[x]' },
    });
    expect(masked.isEmpty).toBe(plain.isEmpty);
    expect(masked.modules.modified[0]!.paths).toEqual([
      { op: 'replace', path: '/config/url', previous: '[x]', next: '[x]', secret: true },
    ]);
    expect(formatConfigDiff(masked)).toEqual(['~ module db: replace /config/url: (secret changed)']);
  });

  it('a reference that becomes plain text (or the reverse) masks only the side that was secret', () => {
    const before = app([mod('db', { config: { url: 'secret-value' } })]);
    const after = app([mod('db', { config: { url: 'plain' } })]);
    const diff = diffConfigs(before, after, {
      redact: { previousSecretPaths: ['/modules/0/config/url'], keyPattern: false },
    });
    expect(diff.modules.modified[0]!.paths).toEqual([
      { op: 'replace', path: '/config/url', previous: '******', next: 'plain', secret: true },
    ]);
  });

  it('leaves the input configs and an earlier unredacted diff untouched', () => {
    const plain = diffConfigs(previous, next);
    const copy = structuredClone(plain);
    const masked = redactDiff(plain, previous, next, redact);
    expect(plain).toEqual(copy);
    expect(plain.modules.modified[0]!.paths[0]!.next).toBe('postgres://app:new-pw@db/app');
    expect(masked).toEqual(diffConfigs(previous, next, { redact }));
  });
});

describe('formatting an unredacted diff with a key pattern', () => {
  it('prints no value for a secret key, and masks secret keys inside values', () => {
    const options = { redact: { keyPattern: KEYS } };
    expect(
      formatPathChange({ op: 'replace', path: '/config/db/password', previous: 'a', next: 'b' }, options),
    ).toBe('replace /config/db/password: (secret changed)');
    expect(formatPathChange({ op: 'remove', path: '/config/apiKey', previous: 'a' }, options)).toBe(
      'remove /config/apiKey: (secret)',
    );
    expect(
      formatPathChange({ op: 'add', path: '/config/db', next: { user: 'u', password: 'p' } }, options),
    ).toBe('add /config/db: {"user":"u","password":"******"}');
  });

  it('isSecretPath reads escaped keys', () => {
    expect(isSecretPath('/config/a~1password', KEYS)).toBe(true);
    expect(isSecretPath('/config/host', KEYS)).toBe(false);
    expect(isSecretPath('', KEYS)).toBe(false);
    expect(isSecretPath('/config/x', (key) => key === 'x')).toBe(true);
  });
});
