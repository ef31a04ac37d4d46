import { describe, expect, it } from 'vitest';
import {
  type AppConfig,
  ConfigParseError,
  IncrementalParser,
  MAX_NESTING,
  parseConfig,
} from '../src/index.js';
import { ticksDuring, workerPorts } from './event-loop.js';
import { catchParseError } from './parse-error.js';

const FILE = 'big.yaml';

/** One module item, ~150 bytes: `rps` is what the edits change. */
const moduleYaml = (i: number, rps = 100, indent = '  ') =>
  [
    `${indent}- name: module-${i}`,
    `${indent}  type: ${i % 3 === 0 ? 'http' : 'worker'}`,
    `${indent}  config:`,
    `${indent}    port: ${8000 + i}`,
    `${indent}    limits: { rps: ${rps}, burst: 20 }`,
    `${indent}    tags: [a, t${i % 7}]`,
    `${indent}  dependsOn: [module-${Math.max(0, i - 1)}]`,
    '',
  ].join('\n');

/** `count` modules between two sections; `rps` overrides the value of some modules by index. */
function configText(count: number, rps: Record<number, number> = {}, extra = ''): string {
  const modules = Array.from({ length: count }, (_, i) => moduleYaml(i, rps[i])).join('');
  return `# generated\nplatform:\n  region: eu\nmodules:\n${modules}workflows:\n  main: { steps: [a, b] }\n${extra}`;
}

/** The full parse's outcome: the config, or the error. */
function fullOutcome(text: string): AppConfig | ConfigParseError {
  try {
    return parseConfig(text, { filename: FILE });
  } catch (error) {
    return error as ConfigParseError;
  }
}

/** A module whose `config` holds a flow list nested so that the whole text nests `total` levels. */
const deepModule = (total: number) =>
  `  - name: deep\n    type: t\n    config:\n      x: ${'['.repeat(total - 4)}${']'.repeat(total - 4)}\n`;

describe('IncrementalParser', () => {
  it('parses a one-module edit of a 1,000-module text as that module alone, and equals a full parse', () => {
    const parser = new IncrementalParser({ filename: FILE });
    const text = configText(1_000);
    const first = parser.parse(text);
    expect(first).toMatchObject({ mode: 'blocks', blocksParsed: 1_002, blocksReused: 0 });
    expect(first.config).toStrictEqual(parseConfig(text, { filename: FILE }));

    const edited = configText(1_000, { 500: 150 });
    const second = parser.parse(edited);
    expect(second).toMatchObject({
      mode: 'blocks',
      blocksParsed: 1,
      blocksReused: 1_001,
      bytesParsed: Buffer.byteLength(moduleYaml(500, 150)),
    });
    expect(JSON.stringify(second.config)).toBe(JSON.stringify(parseConfig(edited, { filename: FILE })));
    expect(second.config.modules[500]?.config).toEqual(
      expect.objectContaining({ limits: { rps: 150, burst: 20 } }),
    );
    expect(parser.stats).toEqual({
      parses: 2,
      unchanged: 0,
      blocks: 2,
      full: 0,
      blocksParsed: 1_003,
      blocksReused: 1_001,
      bytesParsed: first.bytesParsed + second.bytesParsed,
    });
  });

  it('keeps the objects of unchanged modules and sections, so a diff can compare them by identity', () => {
    const parser = new IncrementalParser({ filename: FILE });
    const before = parser.parse(configText(10)).config;
    const after = parser.parse(configText(10, { 4: 1 })).config;
    expect(after).not.toBe(before);
    expect(after.modules.filter((m, i) => m === before.modules[i]).map((m) => m.name)).toEqual(
      [0, 1, 2, 3, 5, 6, 7, 8, 9].map((i) => `module-${i}`),
    );
    expect(after.modules[4]).not.toBe(before.modules[4]);
    expect(after.platform).toBe(before.platform);
  });

  it('reuses the blocks of moved, kept and surrounding modules when modules are inserted, removed and swapped', () => {
    const parser = new IncrementalParser({ filename: FILE });
    const items = Array.from({ length: 20 }, (_, i) => moduleYaml(i));
    const wrap = (list: string[]) => `modules:\n${list.join('')}platform: {}\n`;
    parser.parse(wrap(items));
    const edited = [...items];
    [edited[3], edited[15]] = [edited[15]!, edited[3]!];
    edited.splice(10, 1, moduleYaml(100));
    edited.splice(0, 1);
    const text = wrap(edited);
    const result = parser.parse(text);
    expect(result).toMatchObject({ mode: 'blocks', blocksParsed: 1, blocksReused: 19 });
    expect(result.config.modules.map((m) => m.name)).toEqual(
      parseConfig(text, { filename: FILE }).modules.map((m) => m.name),
    );
  });

  it('checks only the name of a reused module, and still refuses a name repeated by copied blocks', () => {
    const parser = new IncrementalParser({ filename: FILE });
    const text = configText(50);
    parser.parse(text);
    // Module 7's block pasted again at the end: both copies reuse one value, and one name twice.
    const copied = text.replace('workflows:', `${moduleYaml(7)}workflows:`);
    const full = fullOutcome(copied);
    expect(full).toBeInstanceOf(ConfigParseError);
    const error = catchParseError(() => parser.parse(copied));
    expect(error.message).toBe((full as ConfigParseError).message);
    expect(error.message).toContain('duplicate module name "module-7"');
  });

  it('follows renames: a name given up may be taken, a name still held may not', () => {
    const parser = new IncrementalParser({ filename: FILE });
    let text = configText(40);
    const step = (next: string) => {
      text = next;
      const full = fullOutcome(text);
      if (full instanceof ConfigParseError) {
        expect(catchParseError(() => parser.parse(text)).message).toBe(full.message);
      } else expect(parser.parse(text).config).toStrictEqual(full);
    };
    parser.parse(text);
    step(text.replace('name: module-5\n', 'name: renamed\n')); // module-5 given up
    step(text.replace('name: module-6\n', 'name: module-5\n')); // and taken
    step(text.replace('name: module-7\n', 'name: module-8\n')); // module-8 still held: refused
    step(text.replace('name: module-8\n    type', 'name: module-7\n    type')); // back, both renamed
    step(text.replace('name: renamed\n', 'name: module-6\n'));
    expect(parser.parse(text).config.modules.map((m) => m.name)).toEqual(
      Array.from({ length: 40 }, (_, i) => (i === 5 ? 'module-6' : i === 6 ? 'module-5' : `module-${i}`)),
    );
  });

  it('hands back the same config for the same text', () => {
    const parser = new IncrementalParser({ filename: FILE });
    const first = parser.parse(configText(3));
    const again = parser.parse(configText(3));
    expect(again).toEqual({
      config: first.config,
      mode: 'unchanged',
      blocksParsed: 0,
      blocksReused: 5,
      bytesParsed: 0,
    });
    expect(again.config).toBe(first.config);
  });

  describe('refuses what a full parse refuses, with its error, and keeps its blocks for the fix', () => {
    const cases = [
      ['a module name another block has', configText(100).replace('name: module-70', 'name: module-20')],
      ['a top-level key another block has', configText(100, {}, 'platform: again\n')],
      ['a syntax error in the changed block', configText(100).replace('tags: [a, t3]', 'tags: [a, t3')],
      [
        'a value that is not JSON data',
        configText(100, { 30: Number.POSITIVE_INFINITY }).replace('Infinity', '.inf'),
      ],
    ] as const;
    it.each(cases)('%s', (_, broken) => {
      const parser = new IncrementalParser({ filename: FILE });
      parser.parse(configText(100));
      const expected = fullOutcome(broken);
      expect(expected).toBeInstanceOf(ConfigParseError);
      const error = catchParseError(() => parser.parse(broken));
      expect(error.message).toBe((expected as ConfigParseError).message);
      expect({ line: error.line, column: error.column }).toEqual({
        line: (expected as ConfigParseError).line,
        column: (expected as ConfigParseError).column,
      });
      // The text is fixed with another edit: the blocks from before the refusal are still there.
      expect(parser.parse(configText(100, { 60: 1 }))).toMatchObject({ mode: 'blocks', blocksParsed: 1 });
    });
  });

  it('counts a block’s nesting from the top level, as in the whole text (a module sits 3 levels down)', () => {
    for (const [where, block] of [
      ['module', (total: number) => configText(5).replace('workflows:', `${deepModule(total)}workflows:`)],
      [
        'section',
        (total: number) => configText(5, {}, `deep: ${'['.repeat(total - 1)}${']'.repeat(total - 1)}\n`),
      ],
    ] as const) {
      const parser = new IncrementalParser({ filename: FILE });
      parser.parse(configText(5));
      const atLimit = block(MAX_NESTING);
      expect(parser.parse(atLimit), where).toMatchObject({ mode: 'blocks', blocksParsed: 1 });
      const over = block(MAX_NESTING + 1);
      const expected = fullOutcome(over) as ConfigParseError;
      expect(expected.reason).toBe(`nesting deeper than ${MAX_NESTING} levels; flatten the config`);
      expect(catchParseError(() => parser.parse(over)).message, where).toBe(expected.message);
    }
  });

  it.each([
    [
      'an alias to an anchor in another block',
      configText(5)
        .replace('platform:', 'shared: &s { k: 1 }\nplatform:')
        .replace('tags: [a, t2]', 'tags: *s'),
    ],
    ['an anchor used in its own block', configText(5, {}, 'pair: { a: &s 1, b: *s }\n')],
    ['a tag', configText(5, {}, 'tagged: !!str 1\n')],
    ['JSON', JSON.stringify({ modules: [{ name: 'a', type: 't' }], platform: {} })],
    ['CRLF line ends', configText(5).replaceAll('\n', '\r\n')],
    ['a directive', `%YAML 1.2\n---\n${configText(5)}`],
  ])('parses a text with %s whole, with the full parse’s result', (_, text) => {
    const parser = new IncrementalParser({ filename: FILE });
    parser.parse(configText(5));
    const result = parser.parse(text);
    expect(result.mode).toBe('full');
    expect(result.bytesParsed).toBeGreaterThanOrEqual(Buffer.byteLength(text));
    expect(result.config).toStrictEqual(parseConfig(text, { filename: FILE }));
  });

  it('takes flow-style modules as one block, parsed whole', () => {
    const parser = new IncrementalParser({ filename: FILE });
    const text = 'modules: [{ name: a, type: t },\n  { name: b, type: t }]\nplatform: {}\n';
    expect(parser.parse(text)).toMatchObject({ mode: 'blocks', blocksParsed: 2 });
    const edited = text.replace('name: b', 'name: c');
    const result = parser.parse(edited);
    expect(result).toMatchObject({ mode: 'blocks', blocksParsed: 1, blocksReused: 1 });
    expect(result.config).toStrictEqual(parseConfig(edited, { filename: FILE }));
  });

  it('refuses a text over the size limit with the size error of a full parse', () => {
    const parser = new IncrementalParser({ filename: FILE, maxDocumentBytes: 1_000 });
    const text = configText(20);
    const expected = catchParseError(() => parseConfig(text, { filename: FILE, maxDocumentBytes: 1_000 }));
    expect(catchParseError(() => parser.parse(text)).message).toBe(expected.message);
    expect(expected.reason).toMatch(/over the limit of 1,000 bytes/);
  });

  it('parses every text whole with a custom parse', () => {
    const seen: string[] = [];
    const parser = new IncrementalParser({
      filename: FILE,
      parse: (text) => {
        seen.push(text);
        return { modules: [] };
      },
    });
    expect(parser.parse(configText(2))).toMatchObject({ mode: 'full', config: { modules: [] } });
    expect(parser.parse(configText(2, { 1: 5 }))).toMatchObject({ mode: 'full' });
    expect(seen).toHaveLength(2);
  });
});

describe('IncrementalParser.parseAsync', () => {
  /** ~150 KB of YAML: past the default worker threshold (64 KiB). */
  const big = configText(1_000);

  it('parses a first large text in a worker, block by block, and keeps its blocks for the next edit', async () => {
    const parser = new IncrementalParser({ filename: FILE });
    let first: Awaited<ReturnType<IncrementalParser['parseAsync']>> | undefined;
    const ticks = await ticksDuring(async () => {
      first = await parser.parseAsync(big);
    });
    expect(ticks).toBeGreaterThanOrEqual(3); // the event loop turned while a worker parsed
    expect(workerPorts()).toBe(0);
    expect(first).toMatchObject({ mode: 'blocks', blocksParsed: 1_002, bytesParsed: Buffer.byteLength(big) });
    expect(first?.config).toStrictEqual(parseConfig(big, { filename: FILE }));

    let second: typeof first;
    const edited = configText(1_000, { 999: 7 });
    const editTicks = await ticksDuring(async () => {
      second = await parser.parseAsync(edited);
    });
    expect(editTicks).toBe(0); // one small block: parsed right here, without a worker
    expect(second).toMatchObject({ mode: 'blocks', blocksParsed: 1, blocksReused: 1_001 });
    expect(second?.config).toStrictEqual(parseConfig(edited, { filename: FILE }));
    expect(second?.config.modules[0]).toBe(first?.config.modules[0]); // the worker's objects, kept
  });

  it('sends a large change to a worker', async () => {
    const parser = new IncrementalParser({ filename: FILE });
    parser.parse(big);
    const everyModule = configText(
      1_000,
      Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [i, 1])),
    );
    let result: Awaited<ReturnType<IncrementalParser['parseAsync']>> | undefined;
    const ticks = await ticksDuring(async () => {
      result = await parser.parseAsync(everyModule);
    });
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(result).toMatchObject({ mode: 'blocks', blocksParsed: 1_002 });
    expect(result?.config).toStrictEqual(parseConfig(everyModule, { filename: FILE }));
  });

  it('refuses in a worker, and for a small change right here, with exactly the full parse’s error', async () => {
    const broken = configText(1_000, { 900: 1 }).replace('name: module-900', 'name: module-3');
    const expected = fullOutcome(broken) as ConfigParseError;
    expect(expected.reason).toMatch(/^duplicate module name "module-3"/);
    const cold = await new IncrementalParser({ filename: FILE }).parseAsync(broken).catch((e: unknown) => e);
    const warm = new IncrementalParser({ filename: FILE });
    warm.parse(big);
    const edit = await warm.parseAsync(broken).catch((e: unknown) => e);
    for (const error of [cold, edit]) {
      expect(error).toBeInstanceOf(ConfigParseError);
      expect(error).toMatchObject({
        message: expected.message,
        line: expected.line,
        column: expected.column,
      });
    }
    expect(workerPorts()).toBe(0);
  });

  it('parses a large text it cannot cut in a worker, whole', async () => {
    const crlf = big.replaceAll('\n', '\r\n');
    let result: Awaited<ReturnType<IncrementalParser['parseAsync']>> | undefined;
    const ticks = await ticksDuring(async () => {
      result = await new IncrementalParser({ filename: FILE }).parseAsync(crlf);
    });
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(result?.mode).toBe('full');
    expect(result?.config).toStrictEqual(parseConfig(crlf, { filename: FILE }));
  });

  it('stops when aborted, and a later parse still reuses the blocks it had', async () => {
    const parser = new IncrementalParser({ filename: FILE });
    parser.parse(big);
    const controller = new AbortController();
    const everyModule = configText(
      1_000,
      Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [i, 2])),
    );
    const parsing = parser.parseAsync(everyModule, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 5);
    await expect(parsing).rejects.toThrow('stop');
    expect(workerPorts()).toBe(0);
    expect(await parser.parseAsync(configText(1_000, { 1: 3 }))).toMatchObject({ blocksParsed: 1 });
  });
});
