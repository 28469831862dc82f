// One key history and one listing judgement for both callers (harness/contract/model/
// record-history.ts, key-views.ts, judge-key-listing.ts): the KEYS suite, which times its own
// concurrent writes (in flight until acknowledged), and the store model of the stateful suite,
// which notes each change when it is acknowledged. A key written at least W ago and not deleted
// must be listed, one written within W may be, one never written (or deleted at least W ago) never
// is; under strong (W = 0) it is the exact comparison with the keys written.
import { describe, expect, it } from 'vitest';
import { judgeKeyListing, keyViewsOf, RecordHistory, type ModelRecord } from '../../harness/index.ts';

const record = (size: number): ModelRecord => ({ value: Buffer.alloc(size), contentType: 'text/plain' });

/** Histories of the keys, each change [size or null for a delete, sent at, acknowledged at (undefined: in flight)]. */
function historyOf(changes: Record<string, [number | null, number, number?][]>): Map<string, RecordHistory> {
  const history = new Map<string, RecordHistory>();
  for (const [key, list] of Object.entries(changes)) {
    const writes = new RecordHistory();
    for (const [size, sentAt, ackedAt] of list) {
      const pending = writes.begin(size === null ? undefined : record(size), sentAt);
      if (ackedAt !== undefined) pending.ack(ackedAt);
    }
    history.set(key, writes);
  }
  return history;
}

const sizes = (states: readonly (ModelRecord | undefined)[]) => states.map((state) => state?.value.length);

describe('one key history', () => {
  it('under strong only the newest acknowledged state, and a change in flight may or may not show', () => {
    const writes = historyOf({
      k: [
        [1, 0, 1],
        [2, 2, 3],
        [null, 4, 5],
        [4, 6],
      ],
    }).get('k');
    // Sent at 10: the write sent at 6 is still in flight, so the delete or it.
    expect(sizes(writes?.candidates(10, 0, 11) ?? [])).toEqual([4, undefined]);
    // A change sent after the answer came back cannot show in it.
    expect(sizes(writes?.candidates(5.5, 0, 5.9) ?? [])).toEqual([undefined]);
    expect(writes?.current?.value.length).toBe(4);
    expect(writes?.lastChange).toBe('created');
    expect(writes?.wasDeleted).toBe(true);
  });

  it('under eventual every state replaced less than W before the read, and absence before any write', () => {
    const writes = historyOf({
      k: [
        [1, 0, 0],
        [2, 100, 100],
      ],
    }).get('k');
    expect(sizes(writes?.candidates(50, 1000) ?? [])).toEqual([2, 1, undefined]);
    expect(sizes(writes?.candidates(1050, 1000) ?? [])).toEqual([2, 1]);
    expect(sizes(writes?.candidates(1100, 1000) ?? [])).toEqual([2]);
  });

  it('set (the model: one change after another) is a change sent and acknowledged at once', () => {
    const writes = new RecordHistory();
    writes.set(record(1), 0);
    writes.set(record(3), 10);
    expect(writes.lastChange).toBe('overwritten');
    expect(sizes(writes.candidates(10, 0))).toEqual([3]);
    expect(sizes(writes.candidates(10, 5))).toEqual([3, 1]);
  });
  it('a GET of a key written for the first time shows it under eventual too, unless it was read before (KVS-CONS-001)', () => {
    const fresh = new RecordHistory();
    fresh.set(record(1), 0);
    expect(sizes(fresh.candidates(5, 1000))).toEqual([1, undefined]);
    expect(sizes(fresh.getCandidates(5, 1000))).toEqual([1]);
    const readFirst = new RecordHistory();
    readFirst.noteRead();
    readFirst.set(record(1), 0);
    expect(sizes(readFirst.getCandidates(5, 1000))).toEqual([1, undefined]);
    // Deleted and written again: not a first write, the delete may still show.
    const again = new RecordHistory();
    again.set(record(1), 0);
    again.set(undefined, 1);
    again.set(record(2), 2);
    expect(sizes(again.getCandidates(5, 1000))).toEqual([2, undefined, 1]);
    const deleted = new RecordHistory();
    deleted.set(record(1), 0);
    deleted.set(undefined, 10);
    expect(sizes(deleted.getCandidates(2000, 1000))).toEqual([undefined]);
    // A write still in flight is no promise.
    const inFlight = new RecordHistory();
    inFlight.begin(record(1), 0);
    expect(sizes(inFlight.getCandidates(5, 1000))).toEqual([1, undefined]);
  });
});

describe('a key listing judged against the window', () => {
  const judge = (
    history: Map<string, RecordHistory>,
    listed: { key: string; size?: number }[],
    range: Parameters<typeof judgeKeyListing>[2],
    windowMs: number,
    at = 100,
  ) => judgeKeyListing(keyViewsOf(history, at, windowMs, at), listed, range);

  it('under strong (W = 0) a listing must show exactly the keys written, with their sizes', () => {
    const history = historyOf({
      a: [[1, 0, 1]],
      b: [[2, 0, 1]],
      c: [
        [3, 0, 1],
        [null, 2, 3],
      ],
    });
    expect(
      judge(
        history,
        [
          { key: 'a', size: 1 },
          { key: 'b', size: 2 },
        ],
        {},
        0,
      ),
    ).toEqual({
      unexpected: [],
      missing: [],
      wrongSizes: [],
      mustRemain: 0,
      mayRemain: 0,
      complete: true,
    });
    const wrong = judge(history, [{ key: 'a', size: 5 }, { key: 'c' }, { key: 'x' }], {}, 0);
    expect(wrong.missing).toEqual(['b']);
    expect(wrong.unexpected).toEqual(['c', 'x']);
    expect(wrong.wrongSizes).toEqual([{ key: 'a', size: 5, allowed: [1] }]);
    expect(wrong.complete).toBe(false);
  });

  it('within the window a key written or deleted may or may not show; never-written keys never', () => {
    const history = historyOf({
      a: [
        [1, 90, 91],
        [4, 92, 93],
      ],
      b: [
        [2, 94, 95],
        [null, 96, 97],
      ],
    });
    const lagging = judge(history, [{ key: 'b', size: 2 }], {}, 10_000);
    expect(lagging).toMatchObject({ unexpected: [], missing: [], wrongSizes: [], complete: false });
    expect(judge(history, [{ key: 'a', size: 3 }, { key: 'z' }], {}, 10_000)).toMatchObject({
      unexpected: ['z'],
      wrongSizes: [{ key: 'a', size: 3, allowed: [4, 1] }],
    });
    // Past the window: the delete holds, the overwrite holds.
    expect(judge(history, [{ key: 'a', size: 1 }, { key: 'b' }], {}, 10, 200)).toMatchObject({
      unexpected: ['b'],
      wrongSizes: [{ key: 'a', size: 1, allowed: [4] }],
    });
  });

  it('counts the keys that must or may remain after a truncated page, within its range', () => {
    const keys = { p1: [[1, 0, 1]], p2: [[1, 0, 1]], p3: [[1, 0, 1]], q1: [[1, 0, 1]] } as Record<
      string,
      [number, number, number][]
    >;
    const history = historyOf(keys);
    const range = { prefix: 'p', after: 'p1', through: 'p2' };
    expect(judge(history, [{ key: 'p2' }], range, 0)).toMatchObject({
      missing: [],
      mustRemain: 1,
      mayRemain: 0,
      complete: true,
    });
    expect(judge(history, [], { ...range, through: 'p3' }, 0).missing).toEqual(['p2', 'p3']);
    expect(judge(history, [], range, 10_000)).toMatchObject({
      missing: [],
      mustRemain: 0,
      mayRemain: 1,
      complete: false,
    });
  });
});
