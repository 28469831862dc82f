import type { ProfileSettings } from '../../harness/index.ts';

/**
 * The read gap of a watch for a revert under `strong` (KVS-CONS-006 after a delete, KVS-LIMIT-003
 * after a refused write): a read every quarter of the settle time (consistencySettleMs; four or
 * five reads over it, at least 20 ms apart), not every 20 ms (fifteen over 300 ms). Under strong no
 * read may show the old state ("once a delete completed, reads do not return the record"), with no
 * replica lag to outlast: a revert shows in any read after it, and the reads of all a property's
 * cases add up against a replica that missed a change. Undefined under `eventual`, where the
 * watch's own 20 ms gap stays: a hold must outlast lagging replicas case by case.
 */
export function strongWatchGapMs(settings: ProfileSettings): number | undefined {
  if (settings.consistency === 'eventual') return undefined;
  return Math.max(20, Number(settings.consistencySettleMs) / 4);
}
