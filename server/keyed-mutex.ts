/** Runs tasks one at a time per key (a promise chain per key), in arrival order. Not reentrant. */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    // A free key starts its task at once (the common, uncontended case: no extra promise, no
    // extra tick); a busy key queues it behind the last task, whether that one failed or not.
    const result = previous ? previous.then(task, task) : task();
    const release = (): void => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    };
    const tail = result.then(release, release);
    this.#tails.set(key, tail);
    return result;
  }

  /** Whether no task of the key is queued or running (a task run now would start at once). */
  isIdle(key: string): boolean {
    return !this.#tails.has(key);
  }
}
