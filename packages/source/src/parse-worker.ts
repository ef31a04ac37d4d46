/**
 * The worker thread of `parseConfigAsync`: runs `parseConfig` on the text it was given and posts
 * the config back, or the parse error's fields (an `Error` loses its class in a structured clone).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigParseError } from './errors.js';
import { type ParseContext, parseConfig } from './parse.js';
import type { WorkerReply } from './parse-async.js';

const { text, ctx } = workerData as { text: string; ctx: ParseContext };
let reply: WorkerReply;
try {
  reply = { ok: true, config: parseConfig(text, ctx) };
} catch (error) {
  reply =
    error instanceof ConfigParseError
      ? {
          ok: false,
          parseError: { reason: error.reason, file: error.file, line: error.line, column: error.column },
        }
      : { ok: false, message: error instanceof Error ? error.message : String(error) };
}
parentPort!.postMessage(reply);
