import { quantileSorted, sampleWithReplacement } from 'simple-statistics';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { LatencySummary, QuantileEstimate, VisibilityQuantiles } from './consistency-bench-result.ts';

/** Bootstrap resamples behind every confidence interval, and their fixed seed. */
export const BOOTSTRAP = { resamples: 1000, seed: 20120801 } as const;

const QUANTILES = { p50: 0.5, p90: 0.9, p99: 0.99, p999: 0.999, max: 1 } as const;

const finiteOrNull = (value: number): number | null =>
  Number.isFinite(value) ? Math.round(value * 100) / 100 : null;

/**
 * p50/p90/p99/p99.9/max of visibility times (null = never converged, counted as +∞) with 95%
 * percentile-bootstrap intervals (BOOTSTRAP.resamples resamples of the trials, fixed seed).
 */
export function visibilityQuantiles(samples: readonly (number | null)[]): VisibilityQuantiles {
  const values = samples.map((sample) => sample ?? Number.POSITIVE_INFINITY);
  const sorted = [...values].sort((a, b) => a - b);
  const rng = xoroshiro128plus(BOOTSTRAP.seed);
  const random = () => uniformFloat64(rng);
  const resampled =
    values.length === 0
      ? []
      : Array.from({ length: BOOTSTRAP.resamples }, () =>
          sampleWithReplacement(values, values.length, random).sort((a, b) => a - b),
        );
  const estimate = (p: number): QuantileEstimate => {
    if (sorted.length === 0) return { valueMs: null, lowMs: null, highMs: null };
    const spread = resampled.map((sample) => quantileSorted(sample, p)).sort((a, b) => a - b);
    return {
      valueMs: finiteOrNull(quantileSorted(sorted, p)),
      lowMs: finiteOrNull(quantileSorted(spread, 0.025)),
      highMs: finiteOrNull(quantileSorted(spread, 0.975)),
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

/** P(visible at or before t) at every slot from 0 to the largest visibility time. */
export function visibilityCurve(
  samples: readonly (number | null)[],
  resolutionMs: number,
): { tMs: number; p: number }[] {
  const finite = samples.filter((sample): sample is number => sample !== null);
  if (samples.length === 0) return [];
  const last = finite.length === 0 ? 0 : Math.max(...finite);
  const curve: { tMs: number; p: number }[] = [];
  for (let slot = 0; slot * resolutionMs <= last; slot += 1) {
    const tMs = slot * resolutionMs;
    curve.push({ tMs, p: finite.filter((sample) => sample <= tMs).length / samples.length });
  }
  return curve;
}

/** Visibility times in at most `bins` equal bins (whole slots wide), plus a bin of never-converged trials. */
export function visibilityHistogram(
  samples: readonly (number | null)[],
  resolutionMs: number,
  maxWaitMs: number,
  bins = 40,
): { fromMs: number; toMs: number; count: number; neverConverged?: true }[] {
  const finite = samples.filter((sample): sample is number => sample !== null);
  const last = finite.length === 0 ? 0 : Math.max(...finite);
  const width = Math.max(1, Math.ceil((last + resolutionMs) / resolutionMs / bins)) * resolutionMs;
  const histogram: { fromMs: number; toMs: number; count: number; neverConverged?: true }[] = [];
  for (let fromMs = 0; fromMs <= last; fromMs += width) {
    histogram.push({
      fromMs,
      toMs: fromMs + width,
      count: finite.filter((sample) => sample >= fromMs && sample < fromMs + width).length,
    });
  }
  const never = samples.length - finite.length;
  if (never > 0) histogram.push({ fromMs: maxWaitMs, toMs: maxWaitMs, count: never, neverConverged: true });
  return histogram;
}

/** p50 and p99 of durations (0 when there are none), rounded to 0.01 ms. */
export function latencySummary(durations: readonly number[]): LatencySummary {
  if (durations.length === 0) return { p50Ms: 0, p99Ms: 0 };
  const sorted = [...durations].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 100) / 100;
  return { p50Ms: round(quantileSorted(sorted, 0.5)), p99Ms: round(quantileSorted(sorted, 0.99)) };
}
