import type { RecordInfo, StoredRecord } from './storage/storage-backend.ts';

/** How the server shows writes to readers. */
export interface ConsistencyOptions {
  /** `strong`: every write is visible at once. `eventual`: the 2020 KVS documentation's model. */
  readonly mode: 'strong' | 'eventual';
  /** The longest time a reader may see the previous state (ms). */
  readonly staleMs: number;
  /** `fixed`: every stale period lasts staleMs; `uniform`: drawn from [0, staleMs]. */
  readonly distribution: 'fixed' | 'uniform';
}

interface StaleState {
  /** What readers see until `until`: the earlier record, or null for "absent". */
  readonly visible: StoredRecord | null;
  readonly until: number;
}

/**
 * The eventual-consistency simulator: after an overwrite or a delete, reads and listings keep
 * showing the previous state for a bounded time; a new key is visible at once unless it was read
 * (404) within the stale period before it was created (the S3 negative-cache case). Under `strong`
 * it never changes anything.
 */
export class ConsistencySimulator {
  readonly #options: ConsistencyOptions;
  readonly #now: () => number;
  /** storeId → key → the stale state readers see. */
  readonly #stale = new Map<string, Map<string, StaleState>>();
  /** storeId → key → when a read last missed it. */
  readonly #misses = new Map<string, Map<string, number>>();

  constructor(options: ConsistencyOptions, now: () => number = Date.now) {
    this.#options = options;
    this.#now = now;
  }

  get eventual(): boolean {
    return this.#options.mode === 'eventual';
  }

  #period(): number {
    const { staleMs, distribution } = this.#options;
    return distribution === 'uniform' ? Math.random() * staleMs : staleMs;
  }

  #active(storeId: string, key: string): StaleState | undefined {
    const state = this.#stale.get(storeId)?.get(key);
    if (state && state.until <= this.#now()) {
      this.#stale.get(storeId)?.delete(key);
      return undefined;
    }
    return state;
  }

  /** Notes a read that found no record (only matters under `eventual`). */
  noteMiss(storeId: string, key: string): void {
    if (!this.eventual) return;
    let misses = this.#misses.get(storeId);
    if (!misses) this.#misses.set(storeId, (misses = new Map<string, number>()));
    misses.set(key, this.#now());
  }

  /**
   * Called before a write or delete replaces `current` (undefined: the key is new). Readers keep
   * seeing what they saw before, for one stale period.
   */
  beforeChange(storeId: string, key: string, current: StoredRecord | undefined): void {
    if (!this.eventual) return;
    const now = this.#now();
    const seen = this.#active(storeId, key);
    const visible = seen ? seen.visible : (current ?? null);
    const missedAt = this.#misses.get(storeId)?.get(key);
    this.#misses.get(storeId)?.delete(key);
    const recentlyMissed = missedAt !== undefined && now - missedAt <= this.#options.staleMs;
    if (visible === null && !recentlyMissed && !seen) return;
    let states = this.#stale.get(storeId);
    if (!states) this.#stale.set(storeId, (states = new Map<string, StaleState>()));
    states.set(key, { visible, until: now + this.#period() });
  }

  /** What a read sees: the stale state while one is active, else `current`. */
  read(storeId: string, key: string, current: StoredRecord | undefined): StoredRecord | undefined {
    const state = this.#active(storeId, key);
    return state ? (state.visible ?? undefined) : current;
  }

  /** What a listing sees: current records with the active stale states laid over them. */
  list(storeId: string, current: RecordInfo[]): RecordInfo[] {
    const states = this.#stale.get(storeId);
    if (!states || states.size === 0) return current;
    const byKey = new Map(current.map((info) => [info.key, info]));
    for (const key of [...states.keys()]) {
      const state = this.#active(storeId, key);
      if (!state) continue;
      if (state.visible) byKey.set(key, { key, size: state.visible.value.length });
      else byKey.delete(key);
    }
    return [...byKey.values()];
  }

  /** Forgets a deleted store. */
  forgetStore(storeId: string): void {
    this.#stale.delete(storeId);
    this.#misses.delete(storeId);
  }
}
