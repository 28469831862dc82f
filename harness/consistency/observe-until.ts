import { setTimeout as sleep } from 'node:timers/promises';

/** What observing a read until it shows the expected state found. */
export interface Observation<T> {
  /** fresh: the first read showed it; tolerated-stale: a later read within the window; violation: never within the window. */
  readonly outcome: 'fresh' | 'tolerated-stale' | 'violation';
  readonly reads: number;
  /** Reads that did not yet show the expected state. */
  readonly staleReads: number;
  /** Time from the first read to the first expected one (or to giving up). */
  readonly staleForMs: number;
  /** The last value read. */
  readonly last: T;
}

/** Backoff bounds of the re-reads. */
const FIRST_DELAY_MS = 10;
const MAX_DELAY_MS = 400;

/**
 * Reads until `isExpected` holds or `windowMs` has passed, re-reading with exponential backoff —
 * never a blind sleep: a fresh first read returns at once. With a window of 0 it reads once.
 */
export async function observeUntil<T>(
  read: () => Promise<T>,
  isExpected: (value: T) => boolean,
  windowMs: number,
): Promise<Observation<T>> {
  const started = performance.now();
  let delay = FIRST_DELAY_MS;
  for (let reads = 1; ; reads += 1) {
    const last = await read();
    const elapsed = Math.round(performance.now() - started);
    const expected = isExpected(last);
    if (expected || elapsed >= windowMs) {
      const outcome = expected ? (reads === 1 ? 'fresh' : 'tolerated-stale') : 'violation';
      return { outcome, reads, staleReads: expected ? reads - 1 : reads, staleForMs: elapsed, last };
    }
    await sleep(Math.min(delay, Math.max(0, windowMs - elapsed)));
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
}
