// The parts of a consistency trial that must hold whatever the target: the stopping rule's
// arithmetic, Kaplan–Meier with censored trials, and a decision made on complete evidence — a
// stale read still in flight when the rule looks satisfied is waited for and moves the decision,
// never erased after it.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ProbeReading } from '../../harness/consistency/consistency-operation.ts';
import { confirmationsNeeded, missChance } from '../../harness/consistency/stopping-rule.ts';
import {
  kaplanMeier,
  kStalenessCurve,
  tVisibilityCurve,
  visibilityQuantiles,
} from '../../harness/consistency/visibility-statistics.ts';
import {
  nonMonotonicReads,
  runVisibilityTrial,
  type TrialProbe,
  type TrialProbing,
} from '../../harness/consistency/visibility-trial.ts';

const PROBING: TrialProbing = {
  readers: 2,
  resolutionMs: 5,
  maxWaitMs: 2_000,
  settleMs: 0,
  stopping: { missBound: 0.01, lagShare: 0.5 },
  removes: false,
  settles: false,
};

describe('the stopping rule', () => {
  it('needs the fewest reads in a row that miss a laggard with chance ≤ the bound', () => {
    expect(confirmationsNeeded({ missBound: 0.01, lagShare: 0.1 })).toBe(44);
    expect(missChance({ missBound: 0.01, lagShare: 0.1 })).toBeLessThanOrEqual(0.01);
    expect(0.9 ** 43).toBeGreaterThan(0.01);
    expect(confirmationsNeeded({ missBound: 0.01, lagShare: 1 / 3 })).toBe(12);
  });
});

describe('Kaplan–Meier', () => {
  it('keeps censored trials in the risk set until their time, without a step', () => {
    const steps = kaplanMeier([
      { timeMs: 10, event: true },
      { timeMs: 20, event: false },
      { timeMs: 30, event: true },
    ]);
    expect(steps.map((step) => step.tMs)).toEqual([10, 30]);
    expect(steps[0]?.p).toBeCloseTo(1 / 3, 12);
    expect(steps[1]?.p).toBeCloseTo(1, 12);
  });

  it('gives "≥ x" for a quantile censored trials hide, never a made-up time', () => {
    const quantiles = visibilityQuantiles([
      { timeMs: 10, event: true },
      { timeMs: 500, event: false },
      { timeMs: 500, event: false },
    ]);
    expect(quantiles.p50).toMatchObject({ valueMs: null, atLeastMs: 500 });
    expect(quantiles.p90.valueMs).toBeNull();
  });
});

describe('t-visibility', () => {
  it('places every read at the middle of its actual round trip, interpolates between a reader’s reads, and credits nothing before the first', () => {
    const curve = tVisibilityCurve(
      [
        {
          // Sent late at 18 ms, answered at 22 ms: it says nothing about 0 or 10 ms.
          probes: [
            { reader: 0, sentMs: 18, latencyMs: 4, state: 'new' },
            { reader: 0, sentMs: 28, latencyMs: 4, state: 'new' },
          ],
          visibleAtMs: 10,
        },
        {
          probes: [
            { reader: 0, sentMs: 0, latencyMs: 0, state: 'old' },
            { reader: 1, sentMs: 0, latencyMs: 0, state: 'old' },
            { reader: 0, sentMs: 10, latencyMs: 0, state: 'old' },
            { reader: 1, sentMs: 10, latencyMs: 0, state: 'new' },
            // A slow read answered 20 ms after it was sent is placed at 30 ms, the middle.
            { reader: 0, sentMs: 20, latencyMs: 20, state: 'new' },
          ],
          visibleAtMs: 25,
        },
      ],
      10,
    );
    expect(curve.map((point) => [point.tMs, point.p, point.trials])).toEqual([
      [0, 0, 1],
      [10, 0.5, 1],
      // Second trial: reader 1 halfway from stale (10 ms) to fresh (30 ms), reader 2 decided.
      [20, 0.875, 2],
      [30, 1, 2],
    ]);
  });

  it('counts a trial decided visible as 1 past its last read, and a censored trial only up to its last read', () => {
    const read = (sentMs: number) => ({ reader: 0, sentMs, latencyMs: 0, state: 'old' as const });
    const decided = { probes: [read(0)], visibleAtMs: 5 };
    const censored = { probes: [read(0), read(30)], visibleAtMs: null };
    const gaveUp = { probes: [read(0)], visibleAtMs: null };
    const curve = tVisibilityCurve([decided, censored, gaveUp], 10);
    expect(curve.map((point) => [point.tMs, point.p, point.trials])).toEqual([
      [0, 0, 3],
      [10, 0.5, 2],
      [20, 0.5, 2],
      [30, 0.5, 2],
    ]);
  });
});

describe('k-staleness', () => {
  it('counts a read at most k versions old; a read of no version written counts as older', () => {
    const trial = {
      probes: [
        { reader: 0, sentMs: 0, latencyMs: 0, state: 'old', versionsOld: 2 },
        { reader: 1, sentMs: 0, latencyMs: 0, state: 'other' },
        { reader: 0, sentMs: 10, latencyMs: 0, state: 'old', versionsOld: 1 },
        { reader: 1, sentMs: 10, latencyMs: 0, state: 'new', versionsOld: 0 },
      ] as const,
      visibleAtMs: null,
    };
    expect(kStalenessCurve([trial], 10, 1).map((point) => point.p)).toEqual([0, 1]);
    expect(kStalenessCurve([trial], 10, 2).map((point) => point.p)).toEqual([0.5, 1]);
    expect(kStalenessCurve([trial], 10, 0).map((point) => point.p)).toEqual([0, 0.5]);
  });
});

describe('session anomalies', () => {
  const probe = (reader: number, sentMs: number, versionsOld: number): TrialProbe => ({
    reader,
    slot: sentMs / 10,
    sentMs,
    latenessMs: 0,
    latencyMs: 1,
    state: versionsOld === 0 ? 'new' : 'old',
    shown: `v${4 - versionsOld}`,
    versionsOld,
  });

  it('a session reading an older version than one it read before breaks monotonic reads, per session', () => {
    const broken = nonMonotonicReads([
      probe(0, 0, 2),
      probe(0, 10, 1),
      probe(0, 20, 2),
      probe(1, 0, 3),
      probe(1, 10, 1),
      probe(1, 20, 0),
    ]);
    expect(broken.map(([seen, older]) => [seen.reader, seen.sentMs, older.sentMs])).toEqual([[0, 10, 20]]);
  });

  it('the writer session reading an older state after its own write breaks read-your-writes', async () => {
    let calls = 0;
    const plan = {
      setup: async () => {},
      write: () => Promise.resolve(0),
      probe: (reader: number): Promise<ProbeReading> => {
        calls += 1;
        // Reader 1 (the writer's session) reads the state before once; reader 2 never does.
        const stale = reader === 0 && calls <= 2;
        return Promise.resolve(
          stale ? { state: 'old', shown: '200 "before"' } : { state: 'new', shown: '200 "after"' },
        );
      },
    };
    const asWriter = await runVisibilityTrial(plan, { ...PROBING, writerReader: 0 });
    expect(asWriter.anomalies.map((anomaly) => anomaly.kind)).toContain('read-your-writes');
    calls = 0;
    const pooled = await runVisibilityTrial(plan, PROBING);
    expect(pooled.anomalies.map((anomaly) => anomaly.kind)).not.toContain('read-your-writes');
  });
});

describe('a trial decides on complete evidence', () => {
  it('waits for a stale read still in flight and counts it, instead of deciding without it', async () => {
    let calls = 0;
    const plan = {
      setup: async () => {},
      write: () => Promise.resolve(0),
      probe: async (): Promise<ProbeReading> => {
        calls += 1;
        // The 6th read is slow and comes back stale; every other one shows the change at once.
        if (calls === 6) {
          await sleep(150);
          return { state: 'old', shown: '200 "before"' };
        }
        return { state: 'new', shown: '200 "after"' };
      },
    };
    const trial = await runVisibilityTrial(plan, PROBING);
    const slow = trial.probes.find((probe) => probe.state === 'old');
    expect(slow, 'the slow stale read is part of the evidence').toBeDefined();
    expect(trial.visibleWithinMs?.[0]).toBeCloseTo(slow?.sentMs ?? -1, 1);
    expect(trial.visibleAtMs).toBeGreaterThan(slow?.sentMs ?? Infinity);
    expect(trial.censored).toBeUndefined();
  });

  it('names a trial that never converges (max-wait) and one whose setup never settles', async () => {
    const stale = {
      setup: async () => {},
      write: () => Promise.resolve(0),
      probe: (): Promise<ProbeReading> => Promise.resolve({ state: 'old', shown: '404' }),
    };
    const never = await runVisibilityTrial(stale, { ...PROBING, maxWaitMs: 60 });
    expect(never.visibleAtMs).toBeNull();
    expect(never.censored?.reason).toBe('max-wait');
    const unsettled = await runVisibilityTrial(
      { ...stale, probe: () => Promise.resolve<ProbeReading>({ state: 'new', shown: '404' }) },
      { ...PROBING, maxWaitMs: 60, settles: true },
    );
    expect(unsettled.censored?.reason).toBe('unsettled-setup');
    expect(unsettled.probes).toEqual([]);
  });
});

describe('a slow client: probes sent late are placed where they were sent', () => {
  // One replica whose change shows VISIBLE_MS after the write returned; the client's reads go out
  // late (a blocked event loop before each send, as on a loaded machine).
  const VISIBLE_MS = 40;
  const block = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const target = () => {
    let wroteAt = Infinity;
    return {
      setup: async () => {},
      write: () => {
        wroteAt = performance.now();
        return Promise.resolve(0);
      },
      probe: (): Promise<ProbeReading> =>
        Promise.resolve(
          performance.now() - wroteAt >= VISIBLE_MS
            ? { state: 'new', shown: '200 "after"' }
            : { state: 'old', shown: '200 "before"' },
        ),
    };
  };

  it('a first read sent late that already sees the change gives "by its answer", not 0, and credits no earlier time', async () => {
    let calls = 0;
    const trial = await runVisibilityTrial(target(), {
      ...PROBING,
      // The first send is held up 70 ms past its slot (slot 0).
      interrupted: () => {
        calls += 1;
        if (calls === 1) block(70);
        return false;
      },
    });
    expect(trial.probes.every((probe) => probe.state === 'new')).toBe(true);
    const firstSent = Math.min(...trial.probes.map((probe) => probe.sentMs));
    expect(firstSent).toBeGreaterThanOrEqual(60);
    // The reads say only: visible by the first answer. The old estimator said 0 ms.
    expect(trial.visibleWithinMs?.[0]).toBe(0);
    expect(trial.visibleWithinMs?.[1]).toBeGreaterThanOrEqual(VISIBLE_MS);
    expect(trial.visibleAtMs).toBeGreaterThan(0);
    // t-visibility has nothing to say before the first read was sent (the old curve read 1 from 0 ms).
    const curve = tVisibilityCurve([trial], PROBING.resolutionMs);
    expect(curve[0]?.tMs).toBeGreaterThanOrEqual(firstSent - PROBING.resolutionMs);
  });

  it('reads sent late all along still bracket the true time, and the curve steps where the truth does', async () => {
    const trial = await runVisibilityTrial(target(), {
      ...PROBING,
      // Every send is held up 7 ms: more than a slot of 5 ms.
      interrupted: () => {
        block(7);
        return false;
      },
    });
    const [after, by] = trial.visibleWithinMs ?? [Infinity, -Infinity];
    expect(after).toBeLessThan(VISIBLE_MS);
    expect(by).toBeGreaterThanOrEqual(VISIBLE_MS - 1);
    expect(trial.probes.some((probe) => probe.latenessMs > PROBING.resolutionMs)).toBe(true);
    // Each reader reads stale, then fresh: the curve is 0 up to where every reader last read it
    // stale and 1 from where every reader first read it fresh, wherever the late sends put them.
    const placed = (state: string, pick: (times: number[]) => number) =>
      [0, 1].map((reader) =>
        pick(
          trial.probes
            .filter((probe) => probe.reader === reader && probe.state === state)
            .map((probe) => probe.sentMs + probe.latencyMs / 2),
        ),
      );
    const allStaleUntil = Math.min(...placed('old', (times) => Math.max(...times)));
    const allFreshFrom = Math.max(...placed('new', (times) => Math.min(...times)));
    expect(allStaleUntil).toBeLessThan(VISIBLE_MS);
    const curve = tVisibilityCurve([trial], PROBING.resolutionMs);
    for (const point of curve) {
      if (point.tMs <= allStaleUntil) expect(point.p, `${point.tMs} ms`).toBe(0);
      if (point.tMs >= allFreshFrom) expect(point.p, `${point.tMs} ms`).toBe(1);
    }
  });
});
