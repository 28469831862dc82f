/** One change a check made to a key: when it was sent and when the target acknowledged it (performance.now()). */
interface KeyChange {
  /** The value's size in bytes after the change; null: the key is deleted. */
  readonly size: number | null;
  readonly sentAt: number;
  /** Infinity while unanswered, or when the request failed (it may or may not have happened). */
  ackedAt: number;
}

/**
 * What a listing sent at some time may show of one key under a window W: `must` be listed (every
 * state allowed holds it), `never` (no state allowed holds it), or `may`; and the sizes it may be
 * listed with.
 */
export interface AllowedKeyState {
  readonly presence: 'must' | 'may' | 'never';
  readonly sizes: ReadonlySet<number>;
}

/**
 * The writes and deletes a check made to the keys of one store, with their times, so that a
 * listing is judged against the states the consistency window allows (KVS-CONS-004: a listing
 * converges within the window) instead of waiting for it to settle: a change acknowledged at least
 * W before the listing was sent must show, with nothing older; a change sent before the answer came
 * back but more recent than that may or may not; a key never written never shows. Under `strong`
 * (W = 0) a change acknowledged before the listing was sent must show.
 */
export class KeyHistory {
  readonly #changes = new Map<string, KeyChange[]>();
  readonly #windowMs: number;

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** Sends a write of `size` bytes to `key` and notes it (as in flux for good if it fails). */
  write<T>(key: string, size: number, send: () => Promise<T>): Promise<T> {
    return this.#note(key, size, send);
  }

  /** Sends a delete of `key` and notes it. */
  remove<T>(key: string, send: () => Promise<T>): Promise<T> {
    return this.#note(key, null, send);
  }

  async #note<T>(key: string, size: number | null, send: () => Promise<T>): Promise<T> {
    const change: KeyChange = { size, sentAt: performance.now(), ackedAt: Infinity };
    const changes = this.#changes.get(key) ?? [];
    changes.push(change);
    this.#changes.set(key, changes);
    const result = await send();
    change.ackedAt = performance.now();
    return result;
  }

  /** Every key ever written, in no particular order. */
  keys(): string[] {
    return [...this.#changes.keys()];
  }

  /** The size `key` holds once every change has settled (null: absent). */
  final(key: string): number | null {
    return this.#changes.get(key)?.at(-1)?.size ?? null;
  }

  /** What a listing sent at `sentAt` and answered at `answeredAt` may show of `key`. */
  allowed(key: string, sentAt: number, answeredAt: number): AllowedKeyState {
    const changes = (this.#changes.get(key) ?? []).filter((change) => change.sentAt < answeredAt);
    // The newest change every reader must see by now; the state before any change is "absent".
    const settled = changes.findLastIndex((change) => change.ackedAt + this.#windowMs <= sentAt);
    const states = [settled === -1 ? null : (changes[settled]?.size ?? null)];
    for (const change of changes.slice(settled + 1)) states.push(change.size);
    const sizes = new Set(states.filter((size): size is number => size !== null));
    const present = states.filter((size) => size !== null).length;
    return {
      presence: present === states.length ? 'must' : present === 0 ? 'never' : 'may',
      sizes,
    };
  }
}
