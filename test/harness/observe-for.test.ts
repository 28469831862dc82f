// The watch behind KVS-CONS-003/006 and KVS-LIMIT-003 (harness/consistency/observe-for.ts): its
// power against a target where only some reads meet a stale replica is the number of reads in a
// hold, so a slow read (a loaded machine, a slow target) must not make a hold pass on fewer reads.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { observeFor } from '../../harness/consistency/observe-for.ts';

/** A read that takes `takesMs` and shows the stale state on the reads whose numbers are in `stale`. */
function slowRead(takesMs: number, stale: ReadonlySet<number>): () => Promise<'new' | 'old'> {
  let reads = 0;
  return async () => {
    reads += 1;
    await sleep(takesMs);
    return stale.has(reads) ? 'old' : 'new';
  };
}

describe('observeFor', () => {
  it('holds only after as many reads as the duration has read gaps, however slow each read is', async () => {
    // 160 ms at a 20 ms gap is 8 reads. Each read takes 60 ms, so 160 ms pass after 3 reads; the
    // stale replica answers the 6th. A hold by time alone would have said "held".
    const held = await observeFor(slowRead(60, new Set([6])), (value) => value === 'new', 160);
    expect(held).toMatchObject({ outcome: 'reverted', reads: 6, last: 'old' });
  });

  it('a target that keeps the new state holds after the duration and the reads it needs', async () => {
    const held = await observeFor(slowRead(1, new Set()), (value) => value === 'new', 100);
    expect(held.outcome).toBe('held');
    expect(held.reads).toBeGreaterThanOrEqual(5);
    expect(held.afterMs).toBeGreaterThanOrEqual(100);
  });

  it('a zero-length watch still reads three times', async () => {
    const held = await observeFor(slowRead(0, new Set([3])), (value) => value === 'new', 0);
    expect(held).toMatchObject({ outcome: 'reverted', reads: 3 });
  });

  it('a wider read gap reads less often over the same duration, and still at least three times', async () => {
    // Load only makes the pauses longer and the reads fewer: each pause is at least the gap, and a
    // hold still takes three reads and the whole duration.
    const readAt: number[] = [];
    const read = (): Promise<string> => {
      readAt.push(performance.now());
      return Promise.resolve('new');
    };
    const held = await observeFor(read, (value) => value === 'new', 120, 40);
    expect(held.outcome).toBe('held');
    expect(held.reads).toBeGreaterThanOrEqual(3);
    expect(held.afterMs).toBeGreaterThanOrEqual(120);
    expect(readAt.slice(1).every((at, i) => at - (readAt[i] ?? 0) >= 39)).toBe(true);
    const short = await observeFor(slowRead(0, new Set([3])), (value) => value === 'new', 0, 40);
    expect(short).toMatchObject({ outcome: 'reverted', reads: 3 });
  });
});
