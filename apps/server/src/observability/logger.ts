import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  /** @defaultValue `info` */
  level?: string;
  /** `pretty`: one short human line per entry; `json`: pino's NDJSON. @defaultValue pretty on a TTY, else json */
  format?: LogFormat;
  /** @defaultValue stdout */
  destination?: NodeJS.WritableStream;
  /**
   * Applied to every serialised line before it is written (`Redactor.text`: secrets masked in
   * messages and fields alike, whichever code logged them). @defaultValue none
   */
  scrub?: (line: string) => string;
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};

/** The server's pino logger: JSON for machines, or `12:00:01.234 INFO  message` lines for a terminal. */
export function createLogger(userOpts: LoggerOptions = {}): PinoLogger {
  const destination = userOpts.destination ?? process.stdout;
  const opts = {
    level: 'info',
    format: ((destination as { isTTY?: boolean }).isTTY ? 'pretty' : 'json') as LogFormat,
    ...userOpts,
  };
  ignoreClosedOutput(destination);
  const base = {
    level: opts.level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(opts.scrub ? { hooks: { streamWrite: opts.scrub } } : {}),
  };
  if (opts.format === 'json') return pino(base, destination as DestinationStream);
  return pino(base, { write: (line: string) => destination.write(prettyLine(line)) });
}

const IGNORING = Symbol('cfg.ignoreClosedOutput');

/**
 * Drops what cannot be written instead of crashing: a closed terminal (EIO after SIGHUP) or a reader
 * that went away (EPIPE) made the first log line of the shutdown an uncaught error, exit 1, and the
 * embedded database was never stopped. There is nowhere left to report it. Once per stream.
 */
export function ignoreClosedOutput(stream: NodeJS.WritableStream): void {
  const marked = stream as NodeJS.WritableStream & { [IGNORING]?: true };
  if (marked[IGNORING]) return;
  marked[IGNORING] = true;
  stream.on('error', () => {});
}

/** `HH:MM:SS.mmm LEVEL message` plus the error message, if any; the structured fields stay in JSON mode. */
export function prettyLine(json: string): string {
  const entry = JSON.parse(json) as {
    level: number;
    time?: string;
    msg?: string;
    err?: { message?: string } | string;
  };
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const err = typeof entry.err === 'string' ? entry.err : entry.err?.message;
  return `${time} ${LEVELS[entry.level] ?? entry.level} ${entry.msg ?? ''}${err && !entry.msg?.includes(err) ? ` (${err})` : ''}\n`;
}
