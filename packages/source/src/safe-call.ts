/**
 * Calls `fn` — a listener, a hint, an `onError` a caller handed in — so that nothing it does can
 * break the code that called it: a throw, or a rejection of the promise it returns, goes to
 * `onFailure` (log it, count it, or drop it), never to the caller, and a loop over listeners calls
 * the next one either way. The one safe call of the @cfg packages: the reloader's events, the
 * watcher's `onError`/`onRecover`, the server's reload stream (`@cfg/pg-store` keeps its own: it
 * may use this package's types only).
 */
export function callSafely(fn: () => unknown, onFailure: (error: unknown) => void): void {
  try {
    const returned = fn();
    if (returned instanceof Promise) returned.catch(onFailure);
  } catch (error) {
    onFailure(error);
  }
}
