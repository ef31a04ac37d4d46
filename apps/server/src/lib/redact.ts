/**
 * Where a value leaves this process: an HTTP reply, an SSE event, a log line, a fleet report in the
 * database, or the web console (which only shows what the HTTP API sent it).
 */
export type OutboundChannel = 'http' | 'sse' | 'log' | 'fleet';

/**
 * THE one place where values on their way out of the process are masked. Today it passes values
 * through unchanged: configs hold no secrets yet. Issue 15 (secrets as references) plugs its masking
 * in here — values that came from a `${env:…}`/`${file:…}` reference and values under secret-looking
 * keys become a fixed mask — and every caller is masked at once. Callers: the fleet reporter (every
 * outcome written to the store: errors and issues can quote config values) and the fleet routes; the
 * older routes and the SSE stream are to be routed here by that change.
 */
export function redactOutbound<T>(value: T, _channel: OutboundChannel): T {
  return value;
}
