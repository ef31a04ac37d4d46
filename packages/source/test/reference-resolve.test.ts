/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are reference syntax. */
import { describe, expect, it } from 'vitest';
import {
  type AppConfig,
  ConfigParseError,
  ConfigReferenceError,
  checkReferences,
  hashBytes,
  parseConfig,
  type ReferenceOptions,
  resolveReferences,
} from '../src/index.js';

const environment = { DB_PASSWORD: 'hunter2', EMPTY: '', API_TOKEN: 'tok-1' };

/** Parses `text` and resolves it as a source would; the error, when it throws. */
async function resolveText(text: string, opts: ReferenceOptions = {}) {
  const config = parseConfig(text, { filename: 'config.yaml' });
  return resolveReferences(config, {
    environment,
    ...opts,
    textHash: hashBytes(text),
    filename: 'config.yaml',
    text,
  });
}

async function errorOf(text: string, opts: ReferenceOptions = {}): Promise<ConfigReferenceError> {
  const error = await resolveText(text, opts).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigReferenceError);
  return error as ConfigReferenceError;
}

const moduleWith = (config: string) => `modules:\n  - name: db\n    type: postgres\n    config:\n${config}`;

describe('resolveReferences', () => {
  it('replaces whole and embedded references and `$${` escapes; says which paths took a secret', async () => {
    const text = moduleWith(
      [
        '      password: ${env:DB_PASSWORD}',
        '      url: "postgres://app:${env:DB_PASSWORD}@db/${env:DB_NAME:-app}"',
        '      greeting: Hello $${user}',
        '      tokens: [plain, "${env:API_TOKEN}"]',
        '      port: 5432',
        '',
      ].join('\n'),
    );
    const config = parseConfig(text, { filename: 'config.yaml' });
    const before = structuredClone(config);
    const resolved = await resolveReferences(config, {
      environment,
      textHash: hashBytes(text),
      filename: 'c',
    });
    expect(resolved.config.modules[0]!.config).toEqual({
      password: 'hunter2',
      url: 'postgres://app:hunter2@db/app',
      greeting: 'Hello ${user}',
      tokens: ['plain', 'tok-1'],
      port: 5432,
    });
    expect(resolved.secretPaths).toEqual([
      '/modules/0/config/password',
      '/modules/0/config/url',
      '/modules/0/config/tokens/1',
    ]);
    expect(resolved.references).toEqual([
      { kind: 'env', name: 'API_TOKEN' },
      { kind: 'env', name: 'DB_NAME' },
      { kind: 'env', name: 'DB_PASSWORD' },
    ]);
    // The parsed config is a source's cache: never modified.
    expect(config).toEqual(before);
    expect(resolved.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(resolved.hash).not.toBe(hashBytes(text));
  });

  it('copies only the way to a rewritten string; the rest is shared', async () => {
    const config: AppConfig = {
      modules: [
        { name: 'a', type: 't', config: { nested: { x: 1 } } },
        { name: 'b', type: 't', config: { secret: '${env:DB_PASSWORD}', other: { y: 2 } } },
      ],
      platform: { region: 'eu' },
    };
    const resolved = await resolveReferences(config, { environment, textHash: 'h', filename: 'c' });
    expect(resolved.config).not.toBe(config);
    expect(resolved.config.modules).not.toBe(config.modules);
    expect(resolved.config.modules[0]).toBe(config.modules[0]);
    expect(resolved.config.modules[1]!.config!.other).toBe(config.modules[1]!.config!.other);
    expect(resolved.config.platform).toBe(config.platform);
  });

  it('without references (or with escapes only) the hash is the text hash and nothing is secret', async () => {
    const plain = moduleWith('      port: 1\n');
    const none = await resolveText(plain);
    expect(none).toMatchObject({ hash: hashBytes(plain), secretPaths: [], references: [] });
    const escaped = moduleWith('      template: "$${x}"\n');
    const onlyEscapes = await resolveText(escaped);
    expect(onlyEscapes).toMatchObject({ hash: hashBytes(escaped), secretPaths: [], references: [] });
    expect(onlyEscapes.config.modules[0]!.config!.template).toBe('${x}');
  });

  it('never reads keys as references', async () => {
    const resolved = await resolveText(moduleWith('      "${env:DB_PASSWORD}": 1\n'));
    expect(resolved.config.modules[0]!.config).toEqual({ '${env:DB_PASSWORD}': 1 });
  });

  it('env defaults: used when the variable is unset or empty; an empty variable without one is ""', async () => {
    const resolved = await resolveText(
      moduleWith(
        [
          '      a: ${env:UNSET:-fallback}',
          '      b: ${env:EMPTY:-fallback}',
          '      c: "x${env:EMPTY}y"',
          '',
        ].join('\n'),
      ),
    );
    expect(resolved.config.modules[0]!.config).toEqual({ a: 'fallback', b: 'fallback', c: 'xy' });
  });

  it('same text and values give the same hash; another value, another hash', async () => {
    const text = moduleWith('      password: ${env:DB_PASSWORD}\n');
    const first = await resolveText(text);
    expect((await resolveText(text)).hash).toBe(first.hash);
    const rotated = await resolveText(text, { environment: { DB_PASSWORD: 'hunter3' } });
    expect(rotated.hash).not.toBe(first.hash);
    const unsetWithDefault = moduleWith('      password: ${env:DB_PASSWORD:-hunter2}\n');
    // Unset-with-default and set-to-the-same-value are different states, and different texts.
    expect((await resolveText(unsetWithDefault, { environment: {} })).hash).not.toBe(first.hash);
  });

  it('a missing variable is an error at the reference: file:line:column, pointer, no value', async () => {
    const text = moduleWith(['      user: app', '      password: ${env:NOT_SET}', ''].join('\n'));
    const error = await errorOf(text);
    expect(error).toBeInstanceOf(ConfigParseError);
    expect(error).toMatchObject({
      name: 'ConfigReferenceError',
      code: 'CFG_PARSE',
      file: 'config.yaml',
      line: 6,
      column: 17,
    });
    expect(error.message).toBe(
      'config.yaml:6:17: ${env:NOT_SET} (/modules/0/config/password): environment variable NOT_SET is not set (set it, or give a default: ${env:NAME:-default})',
    );
    expect(error.problems).toEqual([
      {
        code: 'CFG_REF_ENV_UNSET',
        pointer: '/modules/0/config/password',
        reference: '${env:NOT_SET}',
        message: 'environment variable NOT_SET is not set (set it, or give a default: ${env:NAME:-default})',
        line: 6,
        column: 17,
      },
    ]);
  });

  it('positions the reference inside a longer string, quoted or not, and in JSON text', async () => {
    const quoted = await errorOf(moduleWith('      url: "postgres://u:${env:NOPE}@h"\n'));
    expect([quoted.line, quoted.column]).toEqual([5, 26]);
    const json =
      '{\n  "modules": [\n    {"name": "a", "type": "t", "config": {"k": "v ${env:NOPE}"}}\n  ]\n}\n';
    const error = await errorOf(json);
    expect([error.line, error.column]).toEqual([3, 51]);
  });

  it('collects every problem, the first in the message', async () => {
    const text = moduleWith(
      ['      a: ${env:ONE}', '      b: ${HOME}', '      c: ${env:TWO}', ''].join('\n'),
    );
    const error = await errorOf(text);
    expect(error.problems.map((p) => [p.code, p.line])).toEqual([
      ['CFG_REF_SYNTAX', 6],
      ['CFG_REF_ENV_UNSET', 5],
      ['CFG_REF_ENV_UNSET', 7],
    ]);
    expect(error.message).toMatch(
      /^config\.yaml:6:10: \$\{HOME\} \(\/modules\/0\/config\/b\): not a reference: .* \(and 2 more\)$/,
    );
  });

  it('refuses variables the `env` option does not allow', async () => {
    const text = moduleWith(['      a: ${env:DB_PASSWORD}', '      b: ${env:API_TOKEN}', ''].join('\n'));
    const allowed = await resolveText(text, { env: ['DB_PASSWORD', /^API_/] });
    expect(allowed.config.modules[0]!.config).toEqual({ a: 'hunter2', b: 'tok-1' });
    const error = await errorOf(text, { env: ['DB_PASSWORD'] });
    expect(error.problems.map((p) => [p.code, p.message])).toEqual([
      [
        'CFG_REF_ENV_NOT_ALLOWED',
        'environment variable API_TOKEN is not allowed (references.env lists the ones that are)',
      ],
    ]);
    expect((await errorOf(text, { env: false })).problems).toHaveLength(2);
  });

  it('bounds what references may put into a config', async () => {
    const big = { BIG: 'x'.repeat(600) };
    const text = moduleWith(['      a: ${env:BIG}', '      b: ${env:BIG}', ''].join('\n'));
    expect((await resolveText(text, { environment: big, maxResolvedBytes: 1200 })).config).toBeDefined();
    const error = await errorOf(text, { environment: big, maxResolvedBytes: 1000 });
    expect(error.problems[0]).toMatchObject({
      code: 'CFG_REF_LIMIT',
      pointer: '/modules/0/config/b',
      message: 'references put more than 1,000 bytes into the config (references.maxResolvedBytes)',
    });
  });

  it('bounds how many files one config may reference, before any is opened', async () => {
    const files = Array.from({ length: 4 }, (_, i) => `      f${i}: \${file:/nowhere/${i}}`);
    const error = await errorOf(moduleWith(`${files.join('\n')}\n`), { fileDirs: ['/nowhere'], maxFiles: 3 });
    expect(error.problems).toEqual([
      expect.objectContaining({ code: 'CFG_REF_LIMIT', pointer: '/modules/0/config/f3', line: 8 }),
    ]);
  });
});

describe('checkReferences', () => {
  it('finds what a load would refuse, with positions, without needing the values', async () => {
    const text = moduleWith(
      ['      a: ${env:DB_PASSWORD}', '      b: ${env:NOT_SET}', '      c: ${file:/etc/shadow}', ''].join(
        '\n',
      ),
    );
    const config = parseConfig(text, { filename: 'config.yaml' });
    const problems = await checkReferences(config, { environment, filename: 'config.yaml', text });
    expect(problems.map((p) => [p.code, p.pointer, p.line, p.column])).toEqual([
      ['CFG_REF_ENV_UNSET', '/modules/0/config/b', 6, 10],
      ['CFG_REF_FILE_NOT_ALLOWED', '/modules/0/config/c', 7, 10],
    ]);
    expect(
      await checkReferences(parseConfig(moduleWith('      a: ${env:DB_PASSWORD}\n'), { filename: 'c' }), {
        environment,
        filename: 'c',
      }),
    ).toEqual([]);
  });
});
