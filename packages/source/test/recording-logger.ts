import type { Logger } from '../src/types.js';

/** A logger that keeps the message of every warning, and ignores the rest. */
export function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const ignore = () => {};
  return {
    warnings,
    debug: ignore,
    info: ignore,
    error: ignore,
    warn: (_obj, msg) => warnings.push(msg ?? ''),
  };
}
