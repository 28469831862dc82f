import { quantileSorted, sampleWithReplacement } from 'simple-statistics';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { LatencySummary, QuantileEstimate, VisibilityQuantiles } from './consistency-bench-result.ts';
import type { ProbeState } from './consistency-operation.ts';

/** Bootstrap resamples behind every confidence interval, and their fixed seed. */
export const BOOTSTRAP = { resamples: 1000, seed: 20120801 } as const;

const QUANTILES = { p50: 0.5, p90: 0.9, p99: 0.99, p999: 0.999, max: 1 } as const;

const round2 = (value: number): number => Math.round(value * 100) / 100;
const round4 = (value: number): number => Math.round(value * 10_000) / 10_000;

/** One trial's full-visibility time: seen (`event`) or known only to be more than `timeMs` (censored). */
export interface TimedSample {
  readonly timeMs: number;
  readonly event: boolean;
}

/**
 * The Kaplan–Meier estimate of P(V ≤ t) from samples some of which are censored: a step function,
 * one point per distinct event time (a censored sample leaves the risk set without a step).
 */
export function kaplanMeier(samples: readonly TimedSample[]): { tMs: number; p: number }[] {
  const sorted = [...samples].sort((a, b) => a.timeMs - b.timeMs || Number(b.event) - Number(a.event));
  let atRisk = sorted.length;
  let survival = 1;
  const steps: { tMs: number; p: number }[] = [];
  for (let index = 0; index < sorted.length;) {
    const t = (sorted[index] as TimedSample).timeMs;
    let events = 0;
    let leaving = 0;
    while (index < sorted.length && (sorted[index] as TimedSample).timeMs === t) {
      if ((sorted[index] as TimedSample).event) events += 1;
      leaving += 1;
      index += 1;
    }
    if (events > 0) {
      survival *= 1 - events / atRisk;
      steps.push({ tMs: t, p: 1 - survival });
    }
    atRisk -= leaving;
  }
  return steps;
}

/** The p-quantile of the Kaplan–Meier estimate of `samples`, or undefined when censored trials hide it. */
export function kaplanMeierQuantile(samples: readonly TimedSample[], p: number): number | undefined {
  return kmQuantile(kaplanMeier(samples), p);
}

/** The p-quantile of a Kaplan–Meier estimate, or undefined when the estimate never reaches p. */
function kmQuantile(steps: readonly { tMs: number; p: number }[], p: number): number | undefined {
  return steps.find((step) => step.p >= p - 1e-12)?.tMs;
}

/**
 * p50/p90/p99/p99.9/max of full-visibility times with censoring (Kaplan–Meier), each with a 95%
 * percentile-bootstrap interval (BOOTSTRAP.resamples resamples of the trials, fixed seed). A
 * quantile the data cannot reach (censored trials) is `≥ x`: valueMs null, atLeastMs the largest
 * time observed; one that needs more trials than were made (1/(1 − p)) has no value either, and
 * says how many it needs (trialsNeeded).
 */
export function visibilityQuantiles(samples: readonly TimedSample[]): VisibilityQuantiles {
  const steps = kaplanMeier(samples);
  const rng = xoroshiro128plus(BOOTSTRAP.seed);
  const random = () => uniformFloat64(rng);
  const resampled =
    samples.length === 0
      ? []
      : Array.from({ length: BOOTSTRAP.resamples }, () =>
          kaplanMeier(sampleWithReplacement([...samples], samples.length, random)),
        );
  const largest = Math.max(0, ...samples.map((sample) => sample.timeMs));
  const finite = (value: number): number | null => (Number.isFinite(value) ? round2(value) : null);
  const estimate = (p: number): QuantileEstimate => {
    if (samples.length === 0) return { valueMs: null, lowMs: null, highMs: null };
    // The p-quantile needs 1/(1 − p) trials at least (one expected beyond it); fewer cannot
    // estimate it: the largest time seen is all they say (no bootstrap interval either).
    const trialsNeeded = p < 1 ? Math.ceil(1 / (1 - p) - 1e-9) : 0;
    if (samples.length < trialsNeeded)
      return { valueMs: null, lowMs: null, highMs: null, atLeastMs: round2(largest), trialsNeeded };
    const spread = resampled
      .map((resample) => kmQuantile(resample, p) ?? Number.POSITIVE_INFINITY)
      .sort((a, b) => a - b);
    const value = kmQuantile(steps, p);
    return {
      valueMs: value === undefined ? null : round2(value),
      lowMs: finite(quantileSorted(spread, 0.025)),
      highMs: finite(quantileSorted(spread, 0.975)),
      ...(value === undefined ? { atLeastMs: round2(largest) } : {}),
    };
  };
  return {
    p50: estimate(QUANTILES.p50),
    p90: estimate(QUANTILES.p90),
    p99: estimate(QUANTILES.p99),
    p999: estimate(QUANTILES.p999),
    max: estimate(QUANTILES.max),
  };
}

/** P(fully visible at or before t) (Kaplan–Meier) at every slot from 0 to the largest time. */
export function visibilityCurve(
  samples: readonly TimedSample[],
  resolutionMs: number,
): { tMs: number; p: number }[] {
  if (samples.length === 0) return [];
  const steps = kaplanMeier(samples);
  const last = Math.max(0, ...samples.map((sample) => sample.timeMs));
  const curve: { tMs: number; p: number }[] = [];
  for (let slot = 0; slot * resolutionMs <= last; slot += 1) {
    const tMs = slot * resolutionMs;
    curve.push({ tMs, p: round4(steps.findLast((step) => step.tMs <= tMs)?.p ?? 0) });
  }
  return curve;
}

/** The 95% Wilson score interval of a proportion p̂ from n observations. */
export function wilsonInterval(p: number, n: number): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const z = 1.959964;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** One trial's probes after the acknowledgement, and when (if ever) it was decided fully visible. */
export interface ProbedTrial {
  readonly probes: readonly ProbedRead[];
  readonly visibleAtMs: number | null;
}

/** One probe read as the curves see it: who read, when it was sent and answered, from the acknowledgement. */
export interface ProbedRead {
  readonly reader: number;
  readonly sentMs: number;
  readonly latencyMs: number;
  readonly state: ProbeState;
  readonly versionsOld?: number;
}

/** One point of the t-visibility curve. */
export interface TVisibilityPoint {
  readonly tMs: number;
  readonly p: number;
  readonly low: number;
  readonly high: number;
  /** Trials counted at this point. */
  readonly trials: number;
}

/**
 * t-visibility (PBS): P(a single read sent t ms after the acknowledgement shows the change), from
 * every probe, at every multiple of the resolution.
 *
 * Where a read is placed. A read took effect somewhere between its send time s and its answer
 * time r (a read that showed the change says it was visible at r at the latest; a stale one, that it
 * was not at s); which instant the client cannot tell. Each read is placed at the middle of its
 * round trip, (s + r) / 2: the curve's time axis is off by at most half a round trip (the report's
 * `honestMs` bounds it). A read is placed where it was actually sent and answered, never at the
 * slot it was scheduled for.
 *
 * How a reader counts at t: between two of its reads placed around t, their states interpolated
 * linearly in time (the same state, or the share of the way from one to the other); after its last
 * read, 1 if the trial was decided fully visible (within the stopping rule's miss bound — leaving
 * it out would keep only the slow trials), else nothing; before its first read, nothing (a read
 * sent late that already saw the change credits no earlier time). A trial counts at t as the mean
 * over its readers that count there (they look at one target state, so they are not independent),
 * with a 95% Wilson interval over the trials counted. `counts` says which reads count (default:
 * those showing the change); kStalenessCurve counts the reads at most k versions old.
 */
export function tVisibilityCurve(
  trials: readonly ProbedTrial[],
  resolutionMs: number,
  counts: (read: ProbedRead) => boolean = (read) => read.state === 'new',
): TVisibilityPoint[] {
  const placed = trials.map((trial) => {
    const byReader = new Map<number, { atMs: number; fresh: number }[]>();
    for (const read of trial.probes) {
      const reads = byReader.get(read.reader) ?? [];
      reads.push({ atMs: read.sentMs + read.latencyMs / 2, fresh: counts(read) ? 1 : 0 });
      byReader.set(read.reader, reads);
    }
    for (const reads of byReader.values()) reads.sort((a, b) => a.atMs - b.atMs);
    return { readers: [...byReader.values()], decided: trial.visibleAtMs !== null };
  });
  const lastMs = Math.max(-1, ...placed.flatMap((trial) => trial.readers.flat().map((read) => read.atMs)));
  const valueAt = (reads: readonly { atMs: number; fresh: number }[], decided: boolean, tMs: number) => {
    const next = reads.findIndex((read) => read.atMs >= tMs);
    if (next === 0) return (reads[0]?.atMs ?? Infinity) === tMs ? reads[0]?.fresh : undefined;
    const before = reads[next === -1 ? reads.length - 1 : next - 1];
    if (before === undefined) return undefined;
    if (next === -1) return decided ? 1 : undefined;
    const after = reads[next] as { atMs: number; fresh: number };
    return before.fresh + ((after.fresh - before.fresh) * (tMs - before.atMs)) / (after.atMs - before.atMs);
  };
  const curve: TVisibilityPoint[] = [];
  for (let slot = 0; slot * resolutionMs <= lastMs; slot += 1) {
    const tMs = slot * resolutionMs;
    let sum = 0;
    let counted = 0;
    for (const trial of placed) {
      const values = trial.readers
        .map((reads) => valueAt(reads, trial.decided, tMs))
        .filter((value): value is number => value !== undefined);
      if (values.length === 0) continue;
      sum += values.reduce((a, b) => a + b, 0) / values.length;
      counted += 1;
    }
    if (counted === 0) continue;
    const p = sum / counted;
    const { low, high } = wilsonInterval(p, counted);
    curve.push({ tMs, p: round4(p), low: round4(low), high: round4(high), trials: counted });
  }
  return curve;
}

/**
 * k-staleness (PBS): P(a single read sent t ms after the acknowledgement shows a version at most k
 * versions older than the change), at every slot, counted like tVisibilityCurve (k = 0 is
 * t-visibility). A read that shows none of the versions counts as older.
 */
export function kStalenessCurve(
  trials: readonly ProbedTrial[],
  resolutionMs: number,
  k: number,
): TVisibilityPoint[] {
  return tVisibilityCurve(
    trials,
    resolutionMs,
    (read) => read.versionsOld !== undefined && read.versionsOld <= k,
  );
}

/** Visibility times in at most `bins` equal bins (whole slots wide), plus a bin of censored trials (no time). */
export function visibilityHistogram(
  samples: readonly (number | null)[],
  resolutionMs: number,
  maxWaitMs: number,
  bins = 40,
): { fromMs: number; toMs: number; count: number; censored?: true }[] {
  const finite = samples.filter((sample): sample is number => sample !== null);
  const last = finite.length === 0 ? 0 : Math.max(...finite);
  const width = Math.max(1, Math.ceil((last + resolutionMs) / resolutionMs / bins)) * resolutionMs;
  const histogram: { fromMs: number; toMs: number; count: number; censored?: true }[] = [];
  for (let fromMs = 0; fromMs <= last; fromMs += width) {
    histogram.push({
      fromMs,
      toMs: fromMs + width,
      count: finite.filter((sample) => sample >= fromMs && sample < fromMs + width).length,
    });
  }
  const censored = samples.length - finite.length;
  if (censored > 0) histogram.push({ fromMs: maxWaitMs, toMs: maxWaitMs, count: censored, censored: true });
  return histogram;
}

/** p50 and p99 of durations (0 when there are none), rounded to 0.01 ms. */
export function latencySummary(durations: readonly number[]): LatencySummary {
  if (durations.length === 0) return { p50Ms: 0, p99Ms: 0 };
  const sorted = [...durations].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 100) / 100;
  return { p50Ms: round(quantileSorted(sorted, 0.5)), p99Ms: round(quantileSorted(sorted, 0.99)) };
}
