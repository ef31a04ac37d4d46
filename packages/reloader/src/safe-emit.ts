import { callSafely, type Logger } from '@cfg/source';

type Listener<P> = (payload: P) => unknown;

/**
 * A small typed event emitter whose `emit` is safe: every listener runs even if an earlier one
 * throws, and a throwing (or rejecting) listener is logged, never rethrown into the caller.
 */
export class SafeEmitter<M extends object> {
  readonly #listeners = new Map<keyof M, Set<Listener<never>>>();
  readonly #logger: Logger | undefined;

  constructor(logger?: Logger) {
    this.#logger = logger;
  }

  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof M>(event: E, listener: Listener<M[E]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  off<E extends keyof M>(event: E, listener: Listener<M[E]>): void {
    this.#listeners.get(event)?.delete(listener);
  }

  emit<E extends keyof M>(event: E, payload: M[E]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set] as Listener<M[E]>[]) {
      callSafely(
        () => listener(payload),
        (error) => this.#report(event, error),
      );
    }
  }

  #report(event: keyof M, error: unknown): void {
    this.#logger?.error({ err: error, event: String(event) }, `a "${String(event)}" listener threw; ignored`);
  }
}
