import type { VisibilityTrial } from './visibility-trial.ts';

/**
 * How many replicas a store's reads show, from a set of trials of one kind of change: a model of
 * how a change spreads over the replicas (a hidden Markov model, fitted by expectation–maximisation).
 *
 * The model: N replicas, every read routed to one at random; at the acknowledgement k of them
 * still lack the change (k drawn from π, which may put weight on any k: a store that applies the
 * write to one replica before acknowledging it has k ≤ N − 1); each of those gets it after its own
 * lag, independent and identically distributed with an unknown distribution (a hazard per time
 * step, not a family: exponential, log-normal and mixtures alike). A read taking effect while k
 * replicas lack the change is stale with chance k/N. Where a read took effect within its round trip
 * the client cannot tell; the model takes a stale read at its send time and a read showing the
 * change at its answer time, the two claims the read makes for sure (so one replica's reads never
 * contradict it). N is chosen among 1 … MAX_REPLICAS by the likelihood with a penalty for π's
 * extra weights (BIC); the hazards are shared by every N.
 *
 * Why N: with one replica lagging a read is stale with chance 1/N, while two lag 2/N; the share
 * of reads that reach the last lagging replica is 1/N̂, whichever way the phases fall.
 */
export interface ReplicaLagFit {
  /** N̂: the number of replicas chosen (1 … MAX_REPLICAS). */
  readonly replicas: number;
  /**
   * The share of reads that reach the last lagging replica: 1 when N̂ = 1; else 1/N averaged over
   * N ≥ 2 with weights exp(BIC score) (each N's approximate posterior chance): where the reads
   * tell N apart it is 1/N̂; where they hardly do (few reads while two replicas lag, as on a
   * loaded machine) it lies between, instead of a wrong 1/N̂ taken as sure.
   */
  readonly share: number;
  /** The maximised log-likelihood of the trials' reads for each N from 1 (BIC penalty not included). */
  readonly logLikelihoods: readonly number[];
}

/** The largest number of replicas the fit considers. */
const MAX_REPLICAS = 5;

/** Grid steps at most, and the finest step (ms). */
const MAX_STEPS = 400;
const MIN_STEP_MS = 1;
/** EM iterations per N (enough to rank the N; the fit is not used beyond that). */
const ITERATIONS = 15;

/** A read on the grid: the step it counts in and whether it was stale. */
interface GridRead {
  readonly step: number;
  readonly stale: boolean;
}

/** One trial on the grid: its reads by step, and its last step. */
interface GridTrial {
  readonly reads: Map<number, { stale: number; fresh: number }>;
  readonly steps: number;
}

/** A trial's reads on the grid, up to `maxSteps` steps. */
function toGrid(trial: VisibilityTrial, stepMs: number, maxSteps: number): GridTrial {
  const reads: GridRead[] = trial.probes
    .map((probe) => {
      const stale = probe.state !== 'new';
      // A stale read: not everywhere when it was sent; one showing the change: visible by its answer.
      const atMs = stale ? probe.sentMs : probe.sentMs + probe.latencyMs;
      return { step: Math.max(0, Math.floor(atMs / stepMs)), stale };
    })
    .filter((read) => read.step < maxSteps);
  const byStep = new Map<number, { stale: number; fresh: number }>();
  for (const read of reads) {
    const counts = byStep.get(read.step) ?? { stale: 0, fresh: 0 };
    if (read.stale) counts.stale += 1;
    else counts.fresh += 1;
    byStep.set(read.step, counts);
  }
  return { reads: byStep, steps: Math.max(0, ...reads.map((read) => read.step)) + 1 };
}

/** Binomial coefficients up to n. */
function binomials(n: number): number[][] {
  const rows: number[][] = [[1]];
  for (let i = 1; i <= n; i += 1) {
    const previous = rows[i - 1] as number[];
    rows.push(
      Array.from({ length: i + 1 }, (_, j) =>
        j === 0 || j === i ? 1 : (previous[j - 1] as number) + (previous[j] as number),
      ),
    );
  }
  return rows;
}

/** A floor on a read's chance of either state: a read the model cannot explain does not rule a path out. */
const FLOOR = 1e-4;

/**
 * EM for a fixed N; returns the log-likelihood of the reads it reaches. E-step: forward–backward
 * over the states k = 0 … N per trial (k never grows); M-step: the hazard per step = expected
 * arrivals / expected replicas still lacking the change, π = the expected states at the
 * acknowledgement.
 */
function fitWithReplicas(trials: readonly GridTrial[], replicas: number, totalSteps: number): number {
  const S = replicas + 1;
  const choose = binomials(replicas);
  let initial = new Float64Array(S).fill(1 / S);
  let hazard = new Float64Array(totalSteps).fill(0.01);
  const staleChance = Array.from({ length: S }, (_, k) => Math.min(1 - FLOOR, Math.max(FLOOR, k / replicas)));
  const longest = Math.max(1, ...trials.map((trial) => trial.steps));
  const forward = new Float64Array(longest * S);
  const scale = new Float64Array(longest);
  const emitted = new Float64Array(longest * S);
  // trans[(c * S + j) * S + k]: P(k lacking the change after step c | j lacking it during step c).
  const trans = new Float64Array(totalSteps * S * S);
  const beta = new Float64Array(S);
  const next = new Float64Array(S);
  const weighted = new Float64Array(S);
  let logLikelihood = -Infinity;
  for (let iteration = 0; iteration < ITERATIONS; iteration += 1) {
    for (let c = 0; c < totalSteps; c += 1) {
      const h = hazard[c] as number;
      for (let j = 0; j < S; j += 1)
        for (let k = 0; k <= j; k += 1)
          trans[(c * S + j) * S + k] = (choose[j]?.[k] as number) * h ** (j - k) * (1 - h) ** k;
    }
    const arrivals = new Float64Array(totalSteps);
    const atRisk = new Float64Array(totalSteps);
    const starts = new Float64Array(S);
    let total = 0;
    for (const trial of trials) {
      const { steps } = trial;
      for (let c = 0; c < steps; c += 1) {
        const counts = trial.reads.get(c);
        let sum = 0;
        for (let k = 0; k < S; k += 1) {
          const p = staleChance[k] as number;
          const emission = counts ? p ** counts.stale * (1 - p) ** counts.fresh : 1;
          emitted[c * S + k] = emission;
          let prior = 0;
          if (c === 0) prior = initial[k] as number;
          else
            for (let j = k; j < S; j += 1)
              prior += (forward[(c - 1) * S + j] as number) * (trans[((c - 1) * S + j) * S + k] as number);
          forward[c * S + k] = prior * emission;
          sum += prior * emission;
        }
        sum ||= 1e-300;
        for (let k = 0; k < S; k += 1) forward[c * S + k] = (forward[c * S + k] as number) / sum;
        scale[c] = sum;
        total += Math.log(sum);
      }
      beta.fill(1);
      for (let c = steps - 1; c > 0; c -= 1) {
        for (let k = 0; k < S; k += 1)
          weighted[k] = ((emitted[c * S + k] as number) * (beta[k] as number)) / (scale[c] as number);
        let expectedArrivals = 0;
        let expectedAtRisk = 0;
        for (let j = 0; j < S; j += 1) {
          const alpha = forward[(c - 1) * S + j] as number;
          let backward = 0;
          for (let k = 0; k <= j; k += 1) {
            const move = (trans[((c - 1) * S + j) * S + k] as number) * (weighted[k] as number);
            backward += move;
            expectedArrivals += alpha * move * (j - k);
            expectedAtRisk += alpha * move * j;
          }
          next[j] = backward;
        }
        arrivals[c - 1] = (arrivals[c - 1] as number) + expectedArrivals;
        atRisk[c - 1] = (atRisk[c - 1] as number) + expectedAtRisk;
        beta.set(next);
      }
      let norm = 0;
      for (let k = 0; k < S; k += 1) norm += (forward[k] as number) * (beta[k] as number);
      for (let k = 0; k < S; k += 1)
        starts[k] = (starts[k] as number) + ((forward[k] as number) * (beta[k] as number)) / (norm || 1e-300);
    }
    const counted = starts.reduce((a, b) => a + b, 0) || 1;
    initial = starts.map((value) => value / counted);
    hazard = hazard.map((previous, c) => {
      const risk = atRisk[c] as number;
      return risk > 1e-9 ? Math.min(1 - 1e-9, Math.max(1e-9, (arrivals[c] as number) / risk)) : previous;
    });
    const improved = total - logLikelihood;
    logLikelihood = total;
    if (Math.abs(improved) < 1e-7 * Math.max(1, Math.abs(total))) break;
  }
  return logLikelihood;
}

/**
 * N̂ for a set of trials: the model fitted for every N from 1 to MAX_REPLICAS, the best by BIC (π
 * has N free weights; the hazards are shared by all N), and the share averaged over N by their
 * BIC weights. Trials without a decision are left out.
 */
export function fitReplicaLag(trials: readonly VisibilityTrial[]): ReplicaLagFit {
  const decided = trials.filter((trial) => trial.visibleAtMs !== null && trial.probes.length > 0);
  // The grid spans the 95th percentile of the trials' last answers (one slow trial does not coarsen
  // it for all); reads past it are left out, which only drops information.
  const lasts = decided
    .map((trial) => Math.max(...trial.probes.map((probe) => probe.sentMs + probe.latencyMs)))
    .sort((a, b) => a - b);
  const horizonMs = Math.max(1, lasts[Math.floor(0.95 * (lasts.length - 1))] ?? 1);
  const stepMs = Math.max(MIN_STEP_MS, horizonMs / MAX_STEPS);
  const grid = decided.map((trial) => toGrid(trial, stepMs, Math.ceil(horizonMs / stepMs)));
  const totalSteps = Math.max(1, ...grid.map((trial) => trial.steps));
  const n = Math.max(1, grid.length);
  const logLikelihoods = Array.from({ length: MAX_REPLICAS }, (_, index) =>
    fitWithReplicas(grid, index + 1, totalSteps),
  );
  const scores = logLikelihoods.map(
    (logLikelihood, index) => logLikelihood - ((index + 1) / 2) * Math.log(n),
  );
  const top = Math.max(...scores);
  const replicas = scores.indexOf(top) + 1;
  // One replica chosen: one state, no correction (a model with more replicas can always mimic
  // one nearly, so its weight says nothing). Else 1/N averaged over N ≥ 2 by weight.
  const weights = scores.map((score, index) => (index === 0 ? 0 : Math.exp(score - top)));
  const total = weights.reduce((a, b) => a + b, 0);
  return {
    replicas,
    share: replicas === 1 ? 1 : weights.reduce((sum, weight, index) => sum + weight / (index + 1), 0) / total,
    logLikelihoods,
  };
}
