/**
 * Property-based fault suite for `parseConfig`: whatever text arrives (random YAML/JSON, random
 * bytes, a valid config mangled the ways editors and partial writes mangle files), the result is
 * either a valid `AppConfig` made of plain JSON data or a clean `ConfigParseError` — never another
 * exception, never a polluted `Object.prototype` — and the worker path of `parseConfigAsync` gives
 * exactly the same outcome.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type AppConfig, ConfigParseError, parseConfig, parseConfigAsync } from '../src/index.js';

const FILE = 'fuzz.yaml';
const RUNS = 500;

const VALID_YAML = `# a config with every feature the parser handles
platform: &platform
  region: eu-west-1
  retries: 3
modules:
  - name: http
    type: http.server
    config:
      port: 8080
      tls: { enabled: true, cert: "/etc/cert.pem" }
      routes: [/a, /b]
    dependsOn: [db]
  - name: db
    type: database
    config:
      url: 'postgres://db/app'
      pool: { min: 1, max: 10 }
  - name: worker
    type: worker
    config:
      platform: *platform
      script: |
        line one
        line two
workflows:
  main: { steps: [a, b] }
`;
const VALID_JSON = JSON.stringify(parseConfig(VALID_YAML, { filename: FILE }), null, 2);

/** The exact own keys of `Object.prototype` before any parse; compared after every run. */
const PROTOTYPE_KEYS = Reflect.ownKeys(Object.prototype);

function expectPrototypeUntouched(): void {
  expect(Reflect.ownKeys(Object.prototype)).toEqual(PROTOTYPE_KEYS);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

afterEach(expectPrototypeUntouched);

/** Parses `text` and asserts the guarantee; returns which of the two allowed outcomes happened. */
function expectCleanOutcome(text: string): 'config' | 'error' {
  let config: AppConfig | undefined;
  let thrown: unknown;
  try {
    config = parseConfig(text, { filename: FILE });
  } catch (error) {
    thrown = error;
  }
  expectPrototypeUntouched();
  if (config) {
    expectValidConfig(config);
    return 'config';
  }
  expect(thrown).toBeInstanceOf(ConfigParseError);
  const error = thrown as ConfigParseError;
  expect(error.code).toBe('CFG_PARSE');
  expect(error.file).toBe(FILE);
  expect(Number.isInteger(error.line) && error.line >= 0).toBe(true);
  expect(Number.isInteger(error.column) && error.column >= 0).toBe(true);
  expect(error.message.startsWith(`${FILE}:`)).toBe(true);
  expect(error.message).not.toMatch(/[\r\n]/);
  return 'error';
}

function expectValidConfig(config: AppConfig): void {
  expect(Array.isArray(config.modules)).toBe(true);
  expect(isJsonData(config), 'an accepted config holds only JSON data').toBe(true);
  const names = new Set<string>();
  for (const module of config.modules) {
    expect(typeof module.name === 'string' && module.name.trim() !== '').toBe(true);
    expect(typeof module.type === 'string' && module.type.trim() !== '').toBe(true);
    expect(names.has(module.name)).toBe(false);
    names.add(module.name);
    if (module.config !== undefined) {
      expect([Object.prototype, null]).toContain(Object.getPrototypeOf(module.config));
    }
    if (module.dependsOn !== undefined) {
      expect(module.dependsOn.every((dep) => typeof dep === 'string')).toBe(true);
    }
  }
}

/**
 * Plain JSON data: what every replica serves alike. No `Buffer` (`!!binary`), `Set` (`!!set`),
 * `Date`, infinity, NaN, cycle, or integer that lost digits (printed as digits beyond 2^53).
 * Recursive: test values are small.
 */
function isJsonData(value: unknown, seen = new Set<unknown>()): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') {
    const lostDigits =
      Number.isInteger(value) && !Number.isSafeInteger(value) && !String(value).includes('e');
    return Number.isFinite(value) && !lostDigits;
  }
  if (typeof value !== 'object' || seen.has(value)) return false;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return false;
  seen.add(value);
  const ok = Object.values(value).every((v) => isJsonData(v, seen));
  seen.delete(value);
  return ok;
}

/** Pieces of YAML and JSON syntax, so random texts get past the tokenizer often. */
const YAML_PIECES = [
  'modules',
  'name',
  'type',
  'config',
  'dependsOn',
  '__proto__',
  'constructor',
  'prototype',
  'polluted',
  ':',
  ': ',
  '- ',
  '  ',
  '    ',
  '\n',
  '\t',
  '{',
  '}',
  '[',
  ']',
  ',',
  '"',
  "'",
  '&a ',
  '*a',
  '!!str ',
  '!!map',
  '!!binary ',
  '!!set ',
  '!!omap ',
  '!custom ',
  '.inf',
  '.nan',
  '9007199254740993',
  '? ',
  '<<: ',
  '|',
  '>',
  '#',
  '---\n',
  '...\n',
  '?',
  '%YAML 1.2\n',
  'null',
  'true',
  '1e3',
  '-',
  'x',
  'é',
  '\u0000',
];
const yamlish = fc.string({ unit: fc.constantFrom(...YAML_PIECES), maxLength: 60 });

/** A text whose first character is `{`, so it takes the JSON fast path (and its YAML fallback). */
const jsonish = fc.oneof(
  fc.json({ maxDepth: 4 }).map((json) => `{"modules": ${json}}`),
  fc.json({ maxDepth: 4 }).filter((json) => json.startsWith('{')),
);

type Mutation =
  | { kind: 'flip'; at: number; char: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate-line' | 'delete-line'; at: number }
  | { kind: 'tab'; at: number }
  | { kind: 'proto-key'; at: number; key: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    char: fc.oneof(
      fc.constantFrom(':', '-', '"', '{', '[', '\n', ' ', '&', '*', '\t'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constantFrom('duplicate-line' as const, 'delete-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('tab' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('proto-key' as const),
    at: fc.nat(),
    key: fc.constantFrom('__proto__', 'constructor', 'prototype'),
  }),
);

/** Applies one mutation; positions wrap around the text's length. */
function mutate(text: string, m: Mutation): string {
  const at = text.length === 0 ? 0 : m.at % text.length;
  const lines = text.split('\n');
  const line = lines.length === 0 ? 0 : m.at % lines.length;
  switch (m.kind) {
    case 'flip':
      return text.slice(0, at) + m.char + text.slice(at + 1);
    case 'truncate':
      return text.slice(0, at);
    case 'duplicate-line':
      return [...lines.slice(0, line + 1), ...lines.slice(line)].join('\n');
    case 'delete-line':
      return [...lines.slice(0, line), ...lines.slice(line + 1)].join('\n');
    case 'tab':
      return `${text.slice(0, at)}\t${text.slice(at)}`;
    case 'proto-key': {
      // Keep the line's indentation so the key lands inside the surrounding mapping.
      const indent = /^\s*(?:- )?/.exec(lines[line] ?? '')?.[0].replace('-', ' ') ?? '';
      const yamlKey = `${indent}${m.key}: { polluted: true, prototype: { polluted: true } }`;
      const jsonKey = `"${m.key}": {"polluted": true, "prototype": {"polluted": true}},`;
      const inserted = text.trimStart().startsWith('{') ? `${indent}${jsonKey}` : yamlKey;
      return [...lines.slice(0, line + 1), inserted, ...lines.slice(line + 1)].join('\n');
    }
  }
}

const mutatedConfig = fc
  .tuple(fc.constantFrom(VALID_YAML, VALID_JSON), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([text, mutations]) => mutations.reduce(mutate, text));

describe('parseConfig under random input', () => {
  it('parses the unmutated fixtures (so mutations start from a valid config)', () => {
    expect(expectCleanOutcome(VALID_YAML)).toBe('config');
    expect(expectCleanOutcome(VALID_JSON)).toBe('config');
  });

  it('random YAML-like texts: a valid config or a clean ConfigParseError', () => {
    fc.assert(
      fc.property(yamlish, (text) => void expectCleanOutcome(text)),
      { numRuns: RUNS },
    );
  });

  it('random JSON texts: a valid config or a clean ConfigParseError', () => {
    fc.assert(
      fc.property(jsonish, (text) => void expectCleanOutcome(text)),
      { numRuns: RUNS },
    );
  });

  it('random Unicode text: a valid config or a clean ConfigParseError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => void expectCleanOutcome(text)),
      {
        numRuns: RUNS,
      },
    );
  });

  it('a valid config after flips, truncation, duplicated/deleted lines, tabs, prototype keys', () => {
    const seen = { config: 0, error: 0 };
    fc.assert(
      fc.property(mutatedConfig, (text) => {
        seen[expectCleanOutcome(text)]++;
      }),
      { numRuns: RUNS * 2 },
    );
    // Both outcomes must actually occur, or the mutations are too weak (or too strong) to test much.
    expect(seen.config).toBeGreaterThan(0);
    expect(seen.error).toBeGreaterThan(0);
  });

  it('the worker path of parseConfigAsync: the same config, or the same error at the same position', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedConfig, async (text) => {
        const sync = (() => {
          try {
            return parseConfig(text, { filename: FILE });
          } catch (error) {
            return error;
          }
        })();
        const async = await parseConfigAsync(text, { filename: FILE, workerThresholdBytes: 0 }).catch(
          (error: unknown) => error,
        );
        if (sync instanceof ConfigParseError) {
          expect(async).toBeInstanceOf(ConfigParseError);
          expect((async as ConfigParseError).message).toBe(sync.message);
          expect(async).toMatchObject({ file: sync.file, line: sync.line, column: sync.column });
        } else {
          expect(async).toEqual(sync);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('a `__proto__` key becomes data, never the prototype', () => {
    const config = parseConfig('modules: []\n__proto__: { polluted: true }\n', { filename: FILE });
    expect(Object.getPrototypeOf(config)).toBe(Object.prototype);
    expect(Object.hasOwn(config, '__proto__')).toBe(true);
    const json = parseConfig('{"modules": [], "__proto__": {"polluted": true}}', { filename: FILE });
    expect(Object.hasOwn(json, '__proto__')).toBe(true);
  });
});

describe('parseConfig round-trips any valid config', () => {
  const name = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== '');
  const moduleArb = fc.record(
    {
      name,
      type: name,
      config: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
      dependsOn: fc.array(name, { maxLength: 3 }),
    },
    { requiredKeys: ['name', 'type'] },
  );
  const configArb = fc.record({
    modules: fc.uniqueArray(moduleArb, { selector: (m) => m.name, maxLength: 6 }),
    platform: fc.jsonValue({ maxDepth: 3 }),
  });
  // JSON is the common ground: it drops -0 and `undefined` exactly as both serialisations do.
  const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
  // Integral doubles beyond 2^53 print as integer literals that lost digits: refused, so not "valid".
  const validConfig = configArb.filter((config) => isJsonData(plain(config)));

  it('as JSON text', () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        expect(parseConfig(JSON.stringify(config), { filename: FILE })).toEqual(plain(config));
      }),
      { numRuns: RUNS },
    );
  });

  it('as YAML text', () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        expect(parseConfig(stringify(plain(config)), { filename: FILE })).toEqual(plain(config));
      }),
      { numRuns: RUNS },
    );
  });
});
