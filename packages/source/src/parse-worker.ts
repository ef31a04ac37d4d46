/**
 * The worker thread of `parseConfigAsync` and `IncrementalParser`: parses the text it was given
 * (block by block when asked, and when the text allows it; else whole, with `parseConfig`) and
 * posts the config back, or the parse error's fields (an `Error` loses its class in a structured
 * clone).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseByBlocks } from './block-parse.js';
import { errorMessage } from './error-message.js';
import { ConfigParseError } from './errors.js';
import { parseConfig } from './parse.js';
import type { WorkerJob, WorkerReply } from './parse-async.js';

const { text, ctx, blocks } = workerData as WorkerJob;
let reply: WorkerReply;
try {
  const assembled = blocks ? parseByBlocks(text, ctx) : undefined;
  // One message: the clone keeps `values` pointing into `config`, so the two stay the same objects.
  reply = assembled ? { ok: true, ...assembled } : { ok: true, config: parseConfig(text, ctx) };
} catch (error) {
  reply =
    error instanceof ConfigParseError
      ? {
          ok: false,
          parseError: { reason: error.reason, file: error.file, line: error.line, column: error.column },
        }
      : { ok: false, message: errorMessage(error) };
}
parentPort!.postMessage(reply);
