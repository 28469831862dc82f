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
  tVisibilityCurve,
  visibilityQuantiles,
} from '../../harness/consistency/visibility-statistics.ts';
import { runVisibilityTrial, type TrialProbing } from '../../harness/consistency/visibility-trial.ts';

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
