/**
 * Runs async tasks one at a time, in call order; a failing task does not stop the next. Used where
 * overlapping runs could only conflict with each other (read-modify-write of one stored document).
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => {});
    return result;
  }

  /** Resolves once every task run so far has settled. */
  idle(): Promise<void> {
    return this.#tail.then(() => {});
  }
}
