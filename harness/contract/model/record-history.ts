/** What a record holds in the model: its exact bytes and the Content-Type it was written with. */
export interface ModelRecord {
  readonly value: Buffer;
  readonly contentType: string;
}

/** A state a key had and when a later write replaced it (the write's acknowledgement, in ms). */
interface SupersededState {
  readonly state: ModelRecord | undefined;
  readonly until: number;
}

/**
 * One key's history in the model: its current state (a record, or `undefined` for none) and every
 * earlier state with the time the write that replaced it was acknowledged. Under the `eventual`
 * profile a read may still show an earlier state for `consistencyWindowMs` after that time
 * (KVS-CONS-003: "reads after an overwrite or delete show the new state within the window");
 * under `strong` the window is 0 and only the current state may show (KVS-CONS-002).
 */
export class RecordHistory {
  #current: ModelRecord | undefined;
  readonly #superseded: SupersededState[] = [];
  #lastChange: 'created' | 'overwritten' | 'deleted' | undefined;
  #wasDeleted = false;

  /** The state a read must show under `strong`. */
  get current(): ModelRecord | undefined {
    return this.#current;
  }

  /** How the key last changed: written while empty, written over a record, or deleted. */
  get lastChange(): 'created' | 'overwritten' | 'deleted' | undefined {
    return this.#lastChange;
  }

  /** Whether the key was deleted at least once. */
  get wasDeleted(): boolean {
    return this.#wasDeleted;
  }

  /** Replaces the state; `at` is when the write was acknowledged. */
  set(next: ModelRecord | undefined, at: number): void {
    this.#superseded.push({ state: this.#current, until: at });
    if (next === undefined && this.#current !== undefined) this.#wasDeleted = true;
    this.#lastChange =
      next === undefined ? 'deleted' : this.#current === undefined ? 'created' : 'overwritten';
    this.#current = next;
  }

  /**
   * The states a read sent at `sentAt` may show: the current one first, then every earlier one
   * replaced less than `windowMs` before the read was sent (none when `windowMs` is 0).
   */
  candidates(sentAt: number, windowMs: number): (ModelRecord | undefined)[] {
    const stale = windowMs > 0 ? this.#superseded.filter((s) => sentAt < s.until + windowMs) : [];
    return [this.#current, ...stale.map((s) => s.state)];
  }
}
