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
 * Reads again and again for `durationMs` and stops at the first read that does not show the
 * expected state: the check behind "never the old state again once the new one was seen"
 * (KVS-CONS-003), "never becomes readable again" (KVS-CONS-006) and "the key still holds its
 * previous value" after a refused write (KVS-LIMIT-003). A hold also takes at least as many reads
 * as the duration has read gaps (at least three): against a target where only some reads meet a
 * stale replica, the chance of a false hold is set by the number of reads, so it must not shrink
 * when a loaded machine makes each read slower (a 300 ms hold is 15 reads, fast or slow).
 * `gapMs` spaces the reads more widely where a caller needs fewer of them (a 300 ms hold at 75 ms
 * is 5 reads, spread over the same time).
 */
export async function observeFor<T>(
  read: () => Promise<T>,
  isExpected: (value: T) => boolean,
  durationMs: number,
  gapMs = READ_GAP_MS,
): Promise<HeldObservation<T>> {
  const started = performance.now();
  const leastReads = Math.max(3, Math.ceil(durationMs / Math.max(1, gapMs)));
  for (let reads = 1; ; reads += 1) {
    const last = await read();
    const afterMs = Math.round(performance.now() - started);
    if (!isExpected(last)) return { outcome: 'reverted', reads, afterMs, last };
    if (reads >= leastReads && afterMs >= durationMs) return { outcome: 'held', reads, afterMs, last };
    await sleep(gapMs);
  }
}
