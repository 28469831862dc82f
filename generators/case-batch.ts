import fc from 'fast-check';

/** How large the batches of a property may grow by default. */
const DEFAULT_MAX_CASES = 32;

/** How a property groups its cases into batches. */
export interface CaseBatchOptions<T> {
  /** The most cases in one batch (default 32). */
  readonly maxCases?: number;
  /**
   * The fewest cases in one batch (default a quarter of `maxCases`), which is also how many a shrunk
   * counterexample keeps; equal to `maxCases`, every batch holds exactly that many.
   */
  readonly minCases?: number;
  /** What must differ between the cases of a batch (their key, their seed…). */
  readonly selector?: (value: T) => unknown;
}

/**
 * A batch of independent cases for a property whose every case waits (a settle watch for
 * KVS-CONS-003/006, KVS-LIMIT-003; the paused streams of KVS-STATE-002): one property run checks a
 * whole batch side by side, so the waits overlap instead of adding up. The cases must not touch
 * each other's state — `selector` keeps them on distinct keys, or each case makes its own store. A
 * batch holds from `minCases` (a quarter of `maxCases` by default) to `maxCases` cases; shrinking
 * keeps that many and simplifies each case.
 */
export function caseBatchArbitrary<T>(
  cases: fc.Arbitrary<T>,
  options: CaseBatchOptions<T> = {},
): fc.Arbitrary<T[]> {
  const maxCases = options.maxCases ?? DEFAULT_MAX_CASES;
  return fc.uniqueArray(cases, {
    minLength: Math.min(maxCases, options.minCases ?? Math.ceil(maxCases / 4)),
    maxLength: maxCases,
    // Lengths spread over the whole range from the first run on (fast-check otherwise keeps the
    // first runs' arrays short), so that a property with few runs still checks many cases.
    size: 'max',
    ...(options.selector ? { selector: options.selector } : {}),
  });
}

/** The share of `maxCases` a batch holds on average (measured: 17.7 of 32, 5.9 of 10, over 200 two-run properties). */
const MEAN_BATCH_SHARE = 0.55;

/** How many batches (property runs) give about `cases` cases in total, for batches of up to `maxCases`. */
export function caseBatchRuns(cases: number, maxCases = DEFAULT_MAX_CASES): number {
  return Math.max(1, Math.ceil(cases / Math.max(1, maxCases * MEAN_BATCH_SHARE)));
}

/**
 * Checks every case of a batch concurrently and fails with the first case's failure once all have
 * ended, so that no case is still at work on the target while fast-check shrinks.
 */
export async function checkBatch<T>(
  batch: readonly T[],
  check: (value: T, index: number) => Promise<void>,
): Promise<void> {
  const settled = await Promise.allSettled(batch.map((value, index) => check(value, index)));
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}
