/**
 * `parseConfigAsync` runs large texts in a worker thread (the built `dist/parse-worker.js`; turbo
 * builds before it tests). What matters: the event loop keeps turning meanwhile, the outcome is
 * exactly `parseConfig`'s, and no worker outlives its promise.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigParseError, MAX_DOCUMENT_BYTES, parseConfig, parseConfigAsync } from '../src/index.js';
import { ticksDuring, workerPorts } from './event-loop.js';

const ctx = { filename: 'big.yaml' };

/**
 * One module with `flags` feature flags (the admin PUT had 70,000): by default ~220 KB of
 * YAML, well past the worker threshold (64 KiB) and light enough to parse often on a shared machine.
 */
function bigYaml(extraLine = '', flags = 7_000): string {
  const lines = Array.from({ length: flags }, (_, i) => `        flag_${i}_enabled: ${i % 2 === 0}`);
  return `modules:\n  - name: flags\n    type: feature-flags\n    config:\n      flags:\n${lines.join('\n')}\n${extraLine}`;
}

describe('parseConfigAsync', () => {
  it('needs the built worker script (turbo runs build before test)', () => {
    expect(existsSync(new URL('../dist/parse-worker.js', import.meta.url)), 'run `pnpm build` first').toBe(
      true,
    );
  });

  it('parses a large text in a worker: the event loop keeps turning, the config is the same', async () => {
    const text = bigYaml();
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_DOCUMENT_BYTES);
    let config: unknown;
    const ticks = await ticksDuring(async () => {
      config = await parseConfigAsync(text, ctx);
    });
    // parseConfig holds the loop for the whole parse (0 ticks); ~0.1 s in a worker gives a dozen or more.
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(config).toEqual(parseConfig(text, ctx));
    expect(workerPorts()).toBe(0);
  });

  it('refuses with exactly the error parseConfig gives, position included', async () => {
    const text = bigYaml('        flag_x: .inf\n');
    const sync = (() => {
      try {
        parseConfig(text, ctx);
      } catch (error) {
        return error as ConfigParseError;
      }
    })();
    expect(sync?.reason).toMatch(/^\.inf is not a finite number/);
    const error = await parseConfigAsync(text, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigParseError);
    expect(error).toMatchObject({ message: sync?.message, line: 7_006, column: 17 });
  });

  it('keeps a `__proto__` key as data through the copy back from the worker', async () => {
    const config = await parseConfigAsync(bigYaml('__proto__: { polluted: true }\n'), ctx);
    expect(Object.hasOwn(config, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stops the worker when aborted, and rejects with the reason', async () => {
    const controller = new AbortController();
    const parsing = parseConfigAsync(bigYaml(), { ...ctx, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('shutting down')), 20);
    await expect(parsing).rejects.toThrow('shutting down');
    expect(workerPorts()).toBe(0);
  });

  it('stops a worker that takes too long: a TimeoutError, which is no verdict on the text', async () => {
    const error = await parseConfigAsync(bigYaml(), { ...ctx, timeoutMs: 10 }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ConfigParseError);
    expect(error).toMatchObject({
      name: 'TimeoutError',
      message: 'big.yaml: parsing took longer than 10 ms; the worker was stopped',
    });
    expect(workerPorts()).toBe(0);
  });

  it('refuses a text that needs more heap than the worker may take', async () => {
    // ~0.9 MB of YAML needs ~40 MB of heap: far past 8.
    const text = bigYaml('', 28_000);
    const error = await parseConfigAsync(text, { ...ctx, workerHeapMb: 8 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigParseError);
    expect((error as Error).message).toBe(
      'big.yaml: parsing needs more than 8 MB of memory; the document holds too many values',
    );
  });

  it('refuses an oversized text before any worker starts', async () => {
    const error = await parseConfigAsync(bigYaml(), { ...ctx, maxDocumentBytes: 1_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigParseError);
    expect((error as Error).message).toMatch(
      /^big\.yaml: the document is [\d,]+ bytes, over the limit of 1,000 bytes/,
    );
  });

  it('runs a custom parser, and small texts, on the calling thread', async () => {
    const threads: string[] = [];
    const config = await parseConfigAsync(bigYaml(), {
      ...ctx,
      parse: () => {
        threads.push('caller');
        return { modules: [] };
      },
    });
    expect(config).toEqual({ modules: [] });
    expect(threads).toEqual(['caller']);
    expect(await parseConfigAsync('modules: []\n', ctx)).toEqual({ modules: [] });
  });

  it('rejects at once when the signal is already aborted', async () => {
    await expect(
      parseConfigAsync('modules: []\n', { ...ctx, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
