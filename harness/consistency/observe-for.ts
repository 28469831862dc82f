import { setTimeout as sleep } from 'node:timers/promises';

/** What watching a read for a while found. */
export interface HeldObservation<T> {
  /** held: every read showed the expected state; reverted: one did not. */
  readonly outcome: 'held' | 'reverted';
  readonly reads: number;
  /** Time from the first read to the one that reverted (or to the end). */
  readonly afterMs: number;
  /** The last value read (the reverted one, if any). */
  readonly last: T;
}

/** Pause between two reads of a watch. */
const READ_GAP_MS = 20;

/**
 * Reads again and again for `durationMs` (at least three reads) and stops at the first read that
 * does not show the expected state: the check behind "never the old state again once the new one
 * was seen" (KVS-CONS-003), "never becomes readable again" (KVS-CONS-006) and "the key still holds
 * its previous value" after a refused write (KVS-LIMIT-003).
 */
export async function observeFor<T>(
  read: () => Promise<T>,
  isExpected: (value: T) => boolean,
  durationMs: number,
): Promise<HeldObservation<T>> {
  const started = performance.now();
  for (let reads = 1; ; reads += 1) {
    const last = await read();
    const afterMs = Math.round(performance.now() - started);
    if (!isExpected(last)) return { outcome: 'reverted', reads, afterMs, last };
    if (reads >= 3 && afterMs >= durationMs) return { outcome: 'held', reads, afterMs, last };
    await sleep(READ_GAP_MS);
  }
}
