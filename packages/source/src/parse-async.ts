import { Worker } from 'node:worker_threads';
import type { BlockValue } from './block-parse.js';
import { ConfigParseError } from './errors.js';
import { checkDocumentSize } from './limits.js';
import { type ConfigParser, type ParseContext, parseConfig, parseConfigWith } from './parse.js';
import type { AppConfig } from './types.js';

export interface ParseAsyncOptions extends ParseContext {
  /** Aborting terminates the worker; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * A custom text → value step. It is a function, which cannot move to another thread, so it runs
   * on the calling thread (as `parseConfigWith`).
   */
  parse?: ConfigParser;
  /**
   * Texts of at least this many UTF-8 bytes are parsed in a worker thread; smaller ones right here
   * (`yaml` takes ~20 ms for 64 KiB; a worker takes ~30 ms to start).
   * @defaultValue `64 * 1024`
   */
  workerThresholdBytes?: number;
  /**
   * How long a worker may take before it is terminated; the promise then rejects with a
   * `TimeoutError` (a `DOMException`, as `AbortSignal.timeout` gives), which is not a verdict on
   * the text: a caller may retry it.
   * @defaultValue `30_000`
   */
  timeoutMs?: number;
  /**
   * The worker's heap (old generation) limit in MB. A text that needs more is refused with a
   * `ConfigParseError`. 1 MiB of YAML needs ~45–300 MB, depending on how many nodes it holds.
   * @defaultValue `512`
   */
  workerHeapMb?: number;
}

/** The default `workerThresholdBytes`. */
export const WORKER_THRESHOLD_BYTES = 64 * 1024;

/** What the worker is given: a text, and whether to parse it block by block (`parseByBlocks`). */
export interface WorkerJob {
  text: string;
  ctx: ParseContext;
  blocks: boolean;
}

/** What the worker posts back; `values` when it parsed by blocks (they share objects with `config`). */
export type WorkerReply =
  | { ok: true; config: AppConfig; values?: BlockValue[] }
  | { ok: false; parseError: { reason: string; file: string; line: number; column: number } }
  | { ok: false; message: string };

/**
 * `parseConfig` that keeps the event loop free: a text of `workerThresholdBytes` or more is parsed
 * in a fresh worker thread (bounded in time and heap, terminated before the promise settles), so
 * health checks and requests keep being answered while a 1 MiB document parses for a second.
 * The result and every error are exactly those of `parseConfig` on the same text, positions
 * included. The size limit is checked first, here, so an oversized text never reaches a worker.
 */
export async function parseConfigAsync(text: string, opts: ParseAsyncOptions): Promise<AppConfig> {
  opts.signal?.throwIfAborted();
  const ctx: ParseContext = {
    filename: opts.filename,
    ...(opts.maxDocumentBytes === undefined ? {} : { maxDocumentBytes: opts.maxDocumentBytes }),
    ...(opts.overlay ? { overlay: true } : {}),
  };
  if (opts.parse) return parseConfigWith(opts.parse, text, ctx);
  const bytes = Buffer.byteLength(text);
  checkDocumentSize(bytes, ctx);
  if (bytes < (opts.workerThresholdBytes ?? WORKER_THRESHOLD_BYTES)) return parseConfig(text, ctx);
  const parsed = await parseInWorker({ text, ctx, blocks: false }, workerLimits(opts));
  return parsed.config;
}

/** What a worker parsed: the config and, when it parsed by blocks, each block's value. */
export interface WorkerParsed {
  config: AppConfig;
  values?: BlockValue[] | undefined;
}

/** The bounds of one worker parse. */
export interface WorkerLimits {
  timeoutMs: number;
  heapMb: number;
  signal: AbortSignal | undefined;
}

/** The worker bounds of `opts`, defaults filled in. */
export function workerLimits(
  opts: Pick<ParseAsyncOptions, 'timeoutMs' | 'workerHeapMb' | 'signal'>,
): WorkerLimits {
  return { timeoutMs: opts.timeoutMs ?? 30_000, heapMb: opts.workerHeapMb ?? 512, signal: opts.signal };
}

/**
 * The worker script: next to this module once built (`dist/`); when this module runs from its
 * TypeScript source (the package's own tests), the built one.
 */
const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? '../dist/parse-worker.js' : './parse-worker.js',
  import.meta.url,
);

/**
 * Runs `job` in a fresh worker thread, bounded by `limits` (terminated before the promise settles):
 * what it parsed, or exactly the error `parseConfig` gives on the same text.
 */
export function parseInWorker(job: WorkerJob, limits: WorkerLimits): Promise<WorkerParsed> {
  const { timeoutMs, heapMb, signal } = limits;
  const { ctx } = job;
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, {
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
    });
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    /** Settles once, after the worker is gone: nothing outlives the promise. */
    const finish = (outcome: { parsed: WorkerParsed } | { error: unknown }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const settle = () => ('parsed' in outcome ? resolve(outcome.parsed) : reject(outcome.error));
      worker.terminate().then(settle, settle);
    };
    const onAbort = () => finish({ error: signal!.reason });
    signal?.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => {
      const error = new DOMException(
        `${ctx.filename}: parsing took longer than ${timeoutMs} ms; the worker was stopped`,
        'TimeoutError',
      );
      finish({ error });
    }, timeoutMs);

    worker.once('message', (reply: WorkerReply) => {
      if (reply.ok) finish({ parsed: { config: reply.config, values: reply.values } });
      else if ('parseError' in reply) {
        const { reason, ...where } = reply.parseError;
        finish({ error: new ConfigParseError(reason, where) });
      } else finish({ error: new Error(`${ctx.filename}: the parse worker failed: ${reply.message}`) });
    });
    worker.once('error', (error: Error & { code?: string }) => {
      if (error.code !== 'ERR_WORKER_OUT_OF_MEMORY') return finish({ error });
      const reason = `parsing needs more than ${heapMb} MB of memory; the document holds too many values`;
      finish({ error: new ConfigParseError(reason, { file: ctx.filename }, { cause: error }) });
    });
    worker.once('exit', (code) => {
      finish({
        error: new Error(`${ctx.filename}: the parse worker exited (code ${code}) without an answer`),
      });
    });
  });
}
