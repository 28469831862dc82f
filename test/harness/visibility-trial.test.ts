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
  it('counts every reader at every slot: its read there, or what the reads around a skipped slot agree on', () => {
    const curve = tVisibilityCurve(
      [
        {
          probes: [
            { reader: 0, slot: 0, state: 'old' },
            { reader: 0, slot: 2, state: 'new' },
            { reader: 1, slot: 0, state: 'old' },
            { reader: 1, slot: 1, state: 'old' },
            { reader: 1, slot: 3, state: 'new' },
          ],
          visibleAtMs: 30,
        },
      ],
      10,
    );
    expect(curve.map((point) => [point.tMs, point.p])).toEqual([
      [0, 0],
      [10, 0.25],
      [20, 0.75],
      [30, 1],
    ]);
  });
});

describe('k-staleness', () => {
  it('counts a read at most k versions old; a read of no version written counts as older', () => {
    const trial = {
      probes: [
        { reader: 0, slot: 0, state: 'old', versionsOld: 2 },
        { reader: 1, slot: 0, state: 'other' },
        { reader: 0, slot: 1, state: 'old', versionsOld: 1 },
        { reader: 1, slot: 1, state: 'new', versionsOld: 0 },
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
      write: async () => {},
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
      write: async () => {},
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
    expect(trial.visibleAtMs).toBeGreaterThan((slow?.slot ?? 0) * PROBING.resolutionMs);
    expect(trial.censored).toBeUndefined();
  });

  it('names a trial that never converges (max-wait) and one whose setup never settles', async () => {
    const stale = {
      setup: async () => {},
      write: async () => {},
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
