import { ProbeSchedule } from './probe-schedule.ts';

/** What observing a read until it shows the expected state found. */
export interface Observation<T> {
  /** fresh: the first read showed it; tolerated-stale: a later read within the window; violation: never within the window. */
  readonly outcome: 'fresh' | 'tolerated-stale' | 'violation';
  readonly reads: number;
  /** Reads that did not yet show the expected state. */
  readonly staleReads: number;
  /**
   * Time from the write's acknowledgement to the slot of the first read that showed the expected
   * state (or to giving up) — the same measurement as `bench consistency`'s visibility time.
   */
  readonly staleForMs: number;
  /** The last value read. */
  readonly last: T;
}

/**
 * Time between re-reads (ms): 1/200 of the window, at least 10 ms (bench consistency's default
 * resolution) and at most 50 ms, so a stale period is known to within that.
 */
export function observationResolutionMs(windowMs: number): number {
  return Math.min(50, Math.max(10, Math.round(windowMs / 200)));
}

/**
 * Reads until `isExpected` holds or `windowMs` has passed since the write's acknowledgement
 * (`acknowledgedAt`, performance.now() time; by default the call, made right after the write
 * returned). Re-reads follow the fixed probe schedule of `bench consistency` from that
 * acknowledgement — never a blind sleep, never a back-off: a fresh first read returns at once.
 * With a window of 0 it reads once.
 */
export async function observeUntil<T>(
  read: () => Promise<T>,
  isExpected: (value: T) => boolean,
  windowMs: number,
  acknowledgedAt: number = performance.now(),
): Promise<Observation<T>> {
  const schedule = new ProbeSchedule(acknowledgedAt, observationResolutionMs(windowMs));
  for (let reads = 1, slot = 0; ; reads += 1) {
    await schedule.waitFor(slot);
    // A read sent a slot or more late counts from the slot it was sent in.
    const sentSlot = Math.max(slot, Math.floor(schedule.elapsed() / schedule.resolutionMs));
    const last = await read();
    const expected = isExpected(last);
    if (expected || schedule.elapsed() >= windowMs) {
      const outcome = expected ? (reads === 1 ? 'fresh' : 'tolerated-stale') : 'violation';
      return {
        outcome,
        reads,
        staleReads: expected ? reads - 1 : reads,
        staleForMs: expected ? sentSlot * schedule.resolutionMs : Math.round(schedule.elapsed()),
        last,
      };
    }
    slot = Math.max(sentSlot + 1, schedule.nextSlot());
  }
}
