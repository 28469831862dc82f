import { lagCdf, type LagDistribution } from '../../server/index.ts';

/** How far a measured visibility distribution is from a configured lag distribution. */
export interface TruthDistance {
  /** The Kolmogorov–Smirnov distance of F from the band the measurement allows (0 inside it). */
  readonly ks: number;
  /** The plain distance max |P̂(V ≤ t) − F(t)| of the times counted from the acknowledgement. */
  readonly ksFromAck: number;
  /** The grid point where `ks` is largest (ms). */
  readonly atMs: number;
}

/**
 * The Kolmogorov–Smirnov distance between a benchmark's measurement and a configured lag
 * distribution F, at the resolution the probes have.
 *
 * What the probes can know. The server's lag L starts at its commit, which the client only knows
 * to lie within the write's round trip (after the write was sent, before the acknowledgement came
 * back). A probe sent s ms after the acknowledgement that did not see the change proves L > s; the
 * first probe of the stable run, answered s' + latency ms after the acknowledgement, proves
 * L ≤ s' + latency + the write's round trip. So each trial gives bounds (low, high] on L
 * (VisibilityTrial.lagBoundsMs), their width being one probe interval (the resolution, plus any
 * lateness) and the request latencies.
 *
 * The comparison. At every grid point t = k × resolution, from 0 until F reaches 1 past every
 * bound, the true F(t) must lie between P̂(high ≤ t) and P̂(low < t); `ks` is the largest amount by
 * which F leaves that band (0 when it stays inside). A trial that never converged has bounds
 * (∞, ∞]. `ksFromAck` is the uncorrected distance of the visibility times V (from the
 * acknowledgement, on the grid) from F(t), shown next to it.
 */
export function truthDistance(
  samples: readonly (number | null)[],
  lagBoundsMs: readonly (readonly [number, number] | null)[],
  lag: LagDistribution,
  resolutionMs: number,
): TruthDistance {
  const n = Math.max(1, samples.length);
  const fromAck = samples.map((sample) => sample ?? Number.POSITIVE_INFINITY);
  const lows = lagBoundsMs.map((bounds) => bounds?.[0] ?? Number.POSITIVE_INFINITY);
  const highs = lagBoundsMs.map((bounds) => bounds?.[1] ?? Number.POSITIVE_INFINITY);
  const last = Math.max(0, ...[...fromAck, ...highs].filter(Number.isFinite));
  let worst: TruthDistance = { ks: 0, ksFromAck: 0, atMs: 0 };
  for (let slot = 0; ; slot += 1) {
    const t = slot * resolutionMs;
    const truth = lagCdf(lag, t);
    const early = fromAck.filter((value) => value <= t).length / n;
    const surelyVisible = highs.filter((high) => high <= t).length / n;
    const maybeVisible = lows.filter((low) => low < t).length / n;
    const outside = lagBoundsMs.length === 0 ? 0 : Math.max(0, surelyVisible - truth, truth - maybeVisible);
    worst = {
      ks: Math.max(worst.ks, outside),
      ksFromAck: Math.max(worst.ksFromAck, Math.abs(early - truth)),
      atMs: outside > worst.ks ? t : worst.atMs,
    };
    if (t > last && truth >= 1 - 1e-9) break;
    if (t > last + 1_000_000) break;
  }
  return worst;
}
