import type { Server } from 'node:http';
import type { Logger } from '@cfg/source';

/** At most one "connections refused" line per this interval, however many are refused. */
const REPORT_EVERY_MS = 60_000;

/**
 * Caps the open TCP connections at `max`: past it, Node closes each new connection as soon as it is
 * accepted (before a byte is read), while the connections already open keep being served. Without a
 * cap, 12,500 idle connections were accepted. Refusals are counted, and logged once when they start
 * and then at most once a minute with the count, so a flood cannot flood the log.
 */
export function limitConnections(
  server: Server,
  opts: { max: number; logger?: Logger; onRefused?: () => void },
): void {
  server.maxConnections = opts.max;
  let refused = 0;
  let reportedAt = Number.NEGATIVE_INFINITY;
  server.on('drop', () => {
    refused++;
    opts.onRefused?.();
    const now = performance.now();
    if (now - reportedAt < REPORT_EVERY_MS) return;
    reportedAt = now;
    opts.logger?.warn(
      { maxConnections: opts.max, refused },
      `connection limit reached (${opts.max} open): refusing new connections (${refused} so far; --max-connections raises it)`,
    );
  });
}
