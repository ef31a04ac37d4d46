import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';

export interface CapturedLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A real pino logger (debug and up) whose lines are kept, parsed, in `lines`. */
export function captureLogs(): {
  logger: Logger;
  lines: CapturedLine[];
  waitFor(match: (l: CapturedLine) => boolean, timeoutMs?: number): Promise<CapturedLine>;
} {
  const lines: CapturedLine[] = [];
  const waiters = new Set<() => void>();
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) lines.push(JSON.parse(line) as CapturedLine);
      for (const wake of [...waiters]) wake();
      done();
    },
  });
  const logger = pino({ level: 'debug', base: undefined }, destination);
  return {
    logger,
    lines,
    waitFor: (match, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`no matching log line within ${timeoutMs} ms; saw ${JSON.stringify(lines.slice(-5))}`),
          );
        }, timeoutMs);
        const check = () => {
          const found = lines.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
        check();
      }),
  };
}
