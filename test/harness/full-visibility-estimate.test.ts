// The time to full visibility from a trial's reads, without a network: with one replica the middle
// of (last stale send, first answer showing the change]; with N replicas routed at random the
// last stale read is corrected for the reads that missed the lagging replica, and the estimates
// are median-unbiased against the truth of a simulated read sequence (the plain last stale read
// is not); a quantile needs 1/(1 − p) trials.
import { describe, expect, it } from 'vitest';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { ProbeState } from '../../harness/consistency/consistency-operation.ts';
import { estimateFullVisibility, laggardShare } from '../../harness/consistency/full-visibility-estimate.ts';
import { DEFAULT_STOPPING_RULE } from '../../harness/consistency/stopping-rule.ts';
import { visibilityQuantiles } from '../../harness/consistency/visibility-statistics.ts';
import type { TrialProbe, VisibilityTrial } from '../../harness/consistency/visibility-trial.ts';

/** A decided trial made of reads (sent at sentMs, answered latencyMs later). */
function trialOf(
  reads: readonly { sentMs: number; latencyMs: number; state: ProbeState }[],
): VisibilityTrial {
  const probes: TrialProbe[] = reads.map((read, index) => ({
    ...read,
    shown: read.state,
    reader: index % 3,
    slot: Math.floor(read.sentMs / 10),
    latenessMs: 0,
  }));
  return {
    visibleAtMs: 0,
    visibleWithinMs: [0, 0],
    acknowledgedAt: 0,
    writeLatencyMs: 1,
    settledAfterMs: 0,
    probes,
    confirmations: 0,
    anomalies: [],
  };
}

/**
 * A trial against N replicas routed at random: replica i gets the change at arrivals[i]; reads are
 * sent every `spacingMs` across readers, take effect at once and answer 1 ms later.
 */
function simulatedTrial(
  arrivals: readonly number[],
  spacingMs: number,
  random: () => number,
): VisibilityTrial {
  // (arrivals of 0: a replica that had the change at the acknowledgement)
  const fullMs = Math.max(...arrivals);
  const reads: { sentMs: number; latencyMs: number; state: ProbeState }[] = [];
  for (let sentMs = 0, after = 0; after < 60; sentMs += spacingMs) {
    const replica = Math.floor(random() * arrivals.length);
    const state: ProbeState = (arrivals[replica] as number) <= sentMs ? 'new' : 'old';
    reads.push({ sentMs, latencyMs: 1, state });
    if (sentMs >= fullMs) after += 1;
  }
  return trialOf(reads);
}

describe('the full-visibility estimate', () => {
  it('with one replica: no correction, the middle of (last stale send, first answer showing the change]', () => {
    const trial = trialOf([
      { sentMs: 0, latencyMs: 2, state: 'old' },
      { sentMs: 10, latencyMs: 2, state: 'old' },
      { sentMs: 20, latencyMs: 2, state: 'new' },
      { sentMs: 30, latencyMs: 2, state: 'new' },
    ]);
    expect(laggardShare([trial, trial])).toEqual({ share: 1, replicas: 1, trials: 2 });
    const [point] = estimateFullVisibility([trial], DEFAULT_STOPPING_RULE).points;
    expect(point?.lowerMs).toBe(10);
    expect(point?.upperMs).toBe(22);
    // The stale read took effect within (10, 12], the fresh one within (20, 22]: the median lies between.
    expect(point?.pointMs).toBeGreaterThan(11);
    expect(point?.pointMs).toBeLessThan(21);
  });

  it('a trial whose first read already showed the change: the middle of (0, first answer]', () => {
    const trial = trialOf([
      { sentMs: 0, latencyMs: 8, state: 'new' },
      { sentMs: 10, latencyMs: 8, state: 'new' },
    ]);
    const [point] = estimateFullVisibility([trial], DEFAULT_STOPPING_RULE).points;
    expect(point).toEqual({ lowerMs: 0, pointMs: 4, upperMs: 8 });
  });

  it('three replicas routed at random: q̂ near 1/3, estimates median-unbiased, the plain last stale read early', () => {
    const rng = xoroshiro128plus(26);
    const random = () => uniformFloat64(rng);
    const truths: number[] = [];
    const trials: VisibilityTrial[] = [];
    for (let index = 0; index < 400; index += 1) {
      const arrivals = [0, 1, 2].map(() => -150 * Math.log(1 - random()));
      truths.push(Math.max(...arrivals));
      trials.push(simulatedTrial(arrivals, 5, random));
    }
    const { laggard, points } = estimateFullVisibility(trials, DEFAULT_STOPPING_RULE);
    expect(laggard.share).toBeGreaterThan(0.28);
    expect(laggard.share).toBeLessThan(0.45);
    const below = (value: (index: number) => number) =>
      truths.filter((truth, index) => value(index) < truth).length / truths.length;
    // ½ within three binomial standard deviations (400 trials: 0.075) and 0.05 for the model's approximations.
    expect(Math.abs(below((index) => points[index]?.pointMs ?? 0) - 0.5)).toBeLessThanOrEqual(0.125);
    expect(below((index) => points[index]?.lowerMs ?? 0)).toBe(1);
    // The truth is after every lower bound and, but for the stopping rule's miss chance, by the upper end.
    expect(truths.every((truth, index) => truth > (points[index]?.lowerMs ?? Infinity))).toBe(true);
    expect(truths.filter((truth, index) => truth > (points[index]?.upperMs ?? 0)).length).toBe(0);
  });
  it('a leader with the change at the acknowledgement, two replicas after close log-normal lags, sparse reads: q̂ = 1/3, not the last two stale reads’ gap', () => {
    // The stranger's store of #26 (session 7): replica 0 applies the write before acknowledging
    // it, replicas 1 and 2 get it after log-normal lags (median 120 ms, σ 0.6), reads routed at
    // random; on a loaded machine the readers together read about every 15 ms. The two lags lie
    // close together, so in more than half of the trials the second-last stale read fell while
    // both replicas lagged (a read stale with chance 2/3): the reads between the last two stale
    // reads gave q̂ 0.42–0.45 (the old estimate) and early times. The replicas the reads show give
    // 1/3.
    const rng = xoroshiro128plus(27);
    const random = () => uniformFloat64(rng);
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const truths: number[] = [];
    const trials: VisibilityTrial[] = [];
    for (let index = 0; index < 200; index += 1) {
      const arrivals = [0, 120 * Math.exp(0.6 * normal()), 120 * Math.exp(0.6 * normal())];
      truths.push(Math.max(...arrivals));
      trials.push(simulatedTrial(arrivals, 15, random));
    }
    const { laggard, points } = estimateFullVisibility(trials, DEFAULT_STOPPING_RULE);
    expect(laggard.replicas).toBe(3);
    expect(Math.abs(laggard.share - 1 / 3)).toBeLessThanOrEqual(0.05);
    const below =
      truths.filter((truth, index) => (points[index]?.pointMs ?? 0) < truth).length / truths.length;
    // ½ within three binomial standard deviations (200 trials: 0.106) and 0.05 for the model's approximations.
    expect(Math.abs(below - 0.5)).toBeLessThanOrEqual(0.16);
    expect(truths.every((truth, index) => truth > (points[index]?.lowerMs ?? Infinity))).toBe(true);
    expect(truths.filter((truth, index) => truth > (points[index]?.upperMs ?? 0)).length).toBe(0);
  });

  it('one replica, log-normal lag: N̂ = 1, no correction', () => {
    const rng = xoroshiro128plus(28);
    const random = () => uniformFloat64(rng);
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const trials = Array.from({ length: 100 }, () =>
      simulatedTrial([120 * Math.exp(0.6 * normal())], 15, random),
    );
    expect(estimateFullVisibility(trials, DEFAULT_STOPPING_RULE).laggard).toMatchObject({
      share: 1,
      replicas: 1,
    });
  });
});

describe('quantiles from few trials', () => {
  it('a quantile needs 1/(1 − p) trials: with 25, p50 and p90 have values, p99 and p99.9 none', () => {
    const samples = Array.from({ length: 25 }, (_, index) => ({ timeMs: 10 * (index + 1), event: true }));
    const quantiles = visibilityQuantiles(samples);
    expect(quantiles.p50.valueMs).toBe(130);
    expect(quantiles.p90.valueMs).toEqual(expect.any(Number));
    expect(quantiles.p99).toEqual({
      valueMs: null,
      lowMs: null,
      highMs: null,
      atLeastMs: 250,
      trialsNeeded: 100,
    });
    expect(quantiles.p999).toMatchObject({ valueMs: null, trialsNeeded: 1000 });
    expect(visibilityQuantiles(samples.slice(0, 8)).p90).toMatchObject({ valueMs: null, trialsNeeded: 10 });
  });
});
