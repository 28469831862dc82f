import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A fixed probe schedule measured from a write's acknowledgement: slot k is due at
 * `acknowledgedAt + k × resolutionMs` (performance.now() time). Not a back-off: every slot is
 * equally spaced, so a visibility time is known to within one slot, whatever its size.
 */
export class ProbeSchedule {
  readonly acknowledgedAt: number;
  readonly resolutionMs: number;

  constructor(acknowledgedAt: number, resolutionMs: number) {
    this.acknowledgedAt = acknowledgedAt;
    this.resolutionMs = resolutionMs;
  }

  /** Time since the acknowledgement (ms). */
  elapsed(): number {
    return performance.now() - this.acknowledgedAt;
  }

  /** The first slot not yet due: where a reader goes after a probe that took longer than a slot. */
  nextSlot(): number {
    return Math.max(0, Math.ceil(this.elapsed() / this.resolutionMs));
  }

  /** Waits until `slot` is due (at once if it is already). */
  async waitFor(slot: number): Promise<void> {
    // Timers run on the event loop's cached whole-millisecond clock and can fire up to 1 ms before
    // performance.now() says the time is due, so wait again until it really is.
    for (let wait = slot * this.resolutionMs - this.elapsed(); wait > 0;) {
      await sleep(wait);
      wait = slot * this.resolutionMs - this.elapsed();
    }
  }
}
