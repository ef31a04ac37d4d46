/**
 * `work(signal)`'s result, or — after `ms` — a rejection with `timeoutError()`, even if `work` never
 * settles (its `signal` is aborted with that same error then, so it can stop). A synchronous throw is
 * a rejection too; a rejection that arrives after the deadline is dropped, never unhandled; the timer
 * is always cleared. `Infinity` means no limit. The one timeout race of the @cfg packages (a
 * reloader step, the server's source re-check; `@cfg/pg-store`'s connect keeps its own: it may use
 * this package's types only, and must give back a client that arrives late).
 */
export function runWithTimeout<T>(
  ms: number,
  work: (signal: AbortSignal) => T,
  timeoutError: () => unknown,
): Promise<Awaited<T>> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    if (!Number.isFinite(ms)) return;
    timer = setTimeout(() => {
      const error = timeoutError();
      controller.abort(error);
      reject(error);
    }, ms);
  });
  const running = _run(work, controller.signal);
  running.catch(() => {});
  return Promise.race([running, timedOut]).finally(() => clearTimeout(timer));
}

/** Turns a synchronous throw into a rejection, so both are timed and caught the same way. */
async function _run<T>(work: (signal: AbortSignal) => T, signal: AbortSignal): Promise<Awaited<T>> {
  return await work(signal);
}
