// A key listing judged against the states the consistency window allows (harness/consistency/
// judge-key-listing.ts): a key written at least W ago must be listed, one written within W may be,
// one never written (or deleted at least W ago) never is; under strong (W = 0) it is the exact
// comparison with the keys written.
import { describe, expect, it } from 'vitest';
import { judgeKeyListing } from '../../harness/consistency/judge-key-listing.ts';
import { KeyHistory } from '../../harness/consistency/key-history.ts';

const done = () => Promise.resolve();

describe('a key listing judged against the window', () => {
  it('under strong (W = 0) a listing must show exactly the keys written, with their sizes', async () => {
    const history = new KeyHistory(0);
    await history.write('a', 1, done);
    await history.write('b', 2, done);
    await history.write('c', 3, done);
    await history.remove('c', done);
    const now = performance.now();
    expect(
      judgeKeyListing(
        history,
        [
          { key: 'a', size: 1 },
          { key: 'b', size: 2 },
        ],
        {},
        now,
        now,
      ),
    ).toEqual({
      unexpected: [],
      missing: [],
      wrongSizes: [],
      mustRemain: 0,
      mayRemain: 0,
      complete: true,
    });
    const wrong = judgeKeyListing(history, [{ key: 'a', size: 5 }, { key: 'c' }, { key: 'x' }], {}, now, now);
    expect(wrong.missing).toEqual(['b']);
    expect(wrong.unexpected).toEqual(['c', 'x']);
    expect(wrong.wrongSizes).toEqual([{ key: 'a', size: 5, allowed: [1] }]);
    expect(wrong.complete).toBe(false);
  });

  it('within the window a key written or deleted may or may not show; never-written keys never', async () => {
    const history = new KeyHistory(10_000);
    await history.write('a', 1, done);
    await history.write('a', 4, done);
    await history.write('b', 2, done);
    await history.remove('b', done);
    const now = performance.now();
    const lagging = judgeKeyListing(history, [{ key: 'b', size: 2 }], {}, now, now);
    expect(lagging).toMatchObject({ unexpected: [], missing: [], wrongSizes: [], complete: false });
    expect(history.allowed('a', now, now)).toEqual({ presence: 'may', sizes: new Set([1, 4]) });
    expect(judgeKeyListing(history, [{ key: 'a', size: 3 }, { key: 'z' }], {}, now, now)).toMatchObject({
      unexpected: ['z'],
      wrongSizes: [{ key: 'a', size: 3 }],
    });
    // A change sent after the listing was answered cannot show in it.
    expect(history.allowed('a', 0, 0).presence).toBe('never');
  });

  it('counts the keys that must or may remain after a truncated page, within its range', async () => {
    const strong = new KeyHistory(0);
    const eventual = new KeyHistory(10_000);
    for (const key of ['p1', 'p2', 'p3', 'q1']) {
      await strong.write(key, 1, done);
      await eventual.write(key, 1, done);
    }
    const now = performance.now();
    const range = { prefix: 'p', after: 'p1', through: 'p2' };
    expect(judgeKeyListing(strong, [{ key: 'p2' }], range, now, now)).toMatchObject({
      missing: [],
      mustRemain: 1,
      mayRemain: 0,
      complete: true,
    });
    expect(judgeKeyListing(strong, [], { ...range, through: 'p3' }, now, now).missing).toEqual(['p2', 'p3']);
    expect(judgeKeyListing(eventual, [], range, now, now)).toMatchObject({
      missing: [],
      mustRemain: 0,
      mayRemain: 1,
      complete: false,
    });
  });
});
