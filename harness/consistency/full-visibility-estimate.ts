import { fitReplicaLag } from './replica-lag-model.ts';
import { confirmationsNeeded, type StoppingRule } from './stopping-rule.ts';
import type { VisibilityTrial } from './visibility-trial.ts';

/**
 * How often a read reaches the replica that still lacks the change in a trial's last phase, as
 * estimated from the trials (see laggardShare).
 */
export interface LaggardShare {
  /** The estimated share q̂ = 1/N̂ of reads that reach the last replica still lacking the change (1: every read, as with one replica). */
  readonly share: number;
  /** N̂: the number of replicas the reads show (replica-lag-model.ts). */
  readonly replicas: number;
  /** Decided trials with a stale read: the ones that tell the replicas apart. */
  readonly trials: number;
}

/** One trial's time to full visibility, from the acknowledgement (ms). */
export interface FullVisibilityPoint {
  /** The send time of the last stale read (0 if none): the change was surely not everywhere then. */
  readonly lowerMs: number;
  /** The estimate: the median of where the change reached the last replica, given the reads and q̂ (see estimateFullVisibility). */
  readonly pointMs: number;
  /**
   * By when the change was everywhere, within the stopping rule's miss bound: the answer time of
   * the m-th read showing the change sent after the last stale one, m the rule's confirmations
   * (a laggard answering at least its lagShare of the reads is missed by m reads with at most
   * missBound). With q̂ = 1 (the reads show one replica: one state) the first such read: a sure
   * bound.
   */
  readonly upperMs: number;
}

/** The estimate for a set of trials: the laggard share and, per trial in order, its point (null when censored). */
export interface FullVisibilityEstimate {
  readonly laggard: LaggardShare;
  readonly points: readonly (FullVisibilityPoint | null)[];
}

/** A read as the estimate sees it: it took effect at some unknown instant between its send and its answer. */
interface Read {
  readonly sentMs: number;
  readonly answeredMs: number;
  readonly stale: boolean;
}

/** Where the change may have reached the last replica: grid points over (the last stale send, the last answer]. */
interface TrialGrid {
  readonly lowerMs: number;
  readonly times: readonly number[];
  readonly stepMs: number;
  /** The reads answered after the last stale send: those whose chance depends on where in the grid the moment lies. */
  readonly reads: readonly Read[];
}

/** Grid points per trial: fine enough that a step is far below a probe interval. */
const GRID_POINTS = 400;

function trialGrid(trial: VisibilityTrial): TrialGrid {
  const all = trial.probes.map((probe) => ({
    sentMs: probe.sentMs,
    answeredMs: probe.sentMs + probe.latencyMs,
    stale: probe.state !== 'new',
  }));
  const lowerMs = Math.max(0, ...all.filter((read) => read.stale).map((read) => read.sentMs));
  const lastMs = Math.max(lowerMs, ...all.map((read) => read.answeredMs));
  const stepMs = Math.max(0.05, (lastMs - lowerMs) / GRID_POINTS);
  const times: number[] = [];
  for (let t = lowerMs + stepMs / 2; t < lastMs; t += stepMs) times.push(t);
  return {
    lowerMs,
    times,
    stepMs,
    // A read answered by the last stale send took effect before every grid point: a constant factor.
    reads: all.filter((read) => read.answeredMs > lowerMs),
  };
}

/**
 * log P(the reads | the last replica got the change at t, share q), up to a constant, at every grid
 * point. Model: each read took effect at an instant uniform between its send and its answer; one
 * that took effect after t shows the change; one that took effect before t reached the lagging
 * replica (and was stale) with chance q, independently of the others (random routing).
 */
function logLikelihood(grid: TrialGrid, share: number): number[] {
  const logShare = Math.log(share);
  const logMiss = share >= 1 ? -Infinity : Math.log(1 - share);
  return grid.times.map((t) => {
    let sum = 0;
    for (const read of grid.reads) {
      const span = read.answeredMs - read.sentMs;
      const before = t >= read.answeredMs ? 1 : t <= read.sentMs ? 0 : (t - read.sentMs) / span;
      if (read.stale) sum += before === 0 ? -Infinity : logShare + Math.log(before);
      else if (before === 1) sum += logMiss;
      else if (before > 0) sum += Math.log(1 - share * before);
    }
    return sum;
  });
}

/**
 * The share q of reads that reach the last lagging replica: 1/N̂, N̂ the number of replicas the
 * model of replica-lag-model.ts finds in the trials' reads (random routing over N replicas, one of
 * them lagging: q = 1/N; averaged over N where the reads hardly tell them apart). Not the reads
 * between the trials' last two stale reads: where the second-last one fell while two replicas
 * lagged (a stale read twice as likely), that gap is short and q high — on a store whose lags lie
 * close together (log-normal, σ 0.6), with sparse reads, in more than half of the trials: q̂
 * 0.42–0.52 against 1/3, and the estimates early (bench/RESULTS.md, #26 session 7).
 */
export function laggardShare(trials: readonly VisibilityTrial[]): LaggardShare {
  const decided = trials.filter((trial) => trial.visibleAtMs !== null);
  const { replicas, share } = fitReplicaLag(decided);
  return {
    share: Math.round(share * 1000) / 1000,
    replicas,
    trials: decided.filter((trial) => trial.probes.some((probe) => probe.state !== 'new')).length,
  };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** A stretch of time with a constant density (relative weight) of the moment lying in it. */
interface Piece {
  readonly fromMs: number;
  readonly toMs: number;
  readonly weight: number;
}

/** The median of a density made of pieces (`fallbackMs` when they hold no mass). */
function medianOf(pieces: readonly Piece[], fallbackMs: number): number {
  const total = pieces.reduce((sum, piece) => sum + piece.weight * (piece.toMs - piece.fromMs), 0);
  let below = 0;
  for (const piece of pieces) {
    const mass = piece.weight * (piece.toMs - piece.fromMs);
    if (mass > 0 && below + mass >= total / 2) return piece.fromMs + (total / 2 - below) / piece.weight;
    below += mass;
  }
  return fallbackMs;
}

/**
 * Where the change surely was everywhere, within the stopping rule's miss bound: the answer of the
 * m-th read showing the change sent after the last stale one (every read when none was stale; m
 * the rule's confirmations, 1 with q̂ = 1).
 */
function upperEnd(trial: VisibilityTrial, lowerMs: number, share: number, stopping: StoppingRule): number {
  const sawStale = trial.probes.some((probe) => probe.state !== 'new');
  const after = trial.probes
    .filter((probe) => probe.state === 'new' && (!sawStale || probe.sentMs > lowerMs))
    .sort((a, b) => a.sentMs - b.sentMs);
  const upper = after[Math.min(after.length, share >= 1 ? 1 : confirmationsNeeded(stopping)) - 1];
  return upper ? upper.sentMs + upper.latencyMs : lowerMs;
}

/**
 * One trial's point: the median of where the change reached the last replica. With a stale read,
 * from logLikelihood at share q̂ and a flat prior over the trial's grid. Without one (the first
 * reads already showed the change) the reads say only that it was everywhere by the first answer,
 * or — each later answer missed with chance 1 − q̂ — by the m-th with chance 1 − (1 − q̂)^m: the
 * density between the m-th and (m+1)-th answers is (1 − q̂)^m (with q̂ = 1, the middle of
 * (0, first answer]); where within their round trips those reads took effect would otherwise
 * decide the point alone. Past the trial's last answer nothing is known: that tail, which needs
 * every read since the last stale one to have missed the laggard, is the miss the stopping rule
 * bounds, and is left out.
 */
function trialPoint(trial: VisibilityTrial, share: number, stopping: StoppingRule): FullVisibilityPoint {
  const grid = trialGrid(trial);
  let pieces: Piece[];
  if (trial.probes.some((probe) => probe.state !== 'new')) {
    const logs = logLikelihood(grid, share);
    const top = Math.max(...logs);
    pieces = grid.times.map((t, index) => ({
      fromMs: t - grid.stepMs / 2,
      toMs: t + grid.stepMs / 2,
      weight: Number.isFinite(top) ? Math.exp((logs[index] as number) - top) : 1,
    }));
  } else {
    const answers = trial.probes.map((probe) => probe.sentMs + probe.latencyMs).sort((a, b) => a - b);
    pieces = answers.map((toMs, missed) => ({
      fromMs: missed === 0 ? 0 : (answers[missed - 1] as number),
      toMs,
      weight: (1 - share) ** missed,
    }));
  }
  return {
    lowerMs: round(grid.lowerMs),
    pointMs: round(Math.max(grid.lowerMs, medianOf(pieces, grid.lowerMs))),
    upperMs: round(upperEnd(trial, grid.lowerMs, share, stopping)),
  };
}

/**
 * Time to full visibility for a set of trials of one kind of change: the laggard share q̂ from all
 * of them (laggardShare), then per trial its lower bound, its point and its upper end within the
 * stopping rule's miss bound. Why: with N replicas and random routing a read reaches the last
 * lagging replica with chance about 1/N, so the last stale read the probes saw comes on average
 * about N − 1 reads (across all readers) before that replica got the change; the plain "last stale
 * read" reads early by that many probe intervals (and more when probes are slow). Censored trials
 * give null.
 */
export function estimateFullVisibility(
  trials: readonly VisibilityTrial[],
  stopping: StoppingRule,
): FullVisibilityEstimate {
  const laggard = laggardShare(trials);
  return {
    laggard,
    points: trials.map((trial) =>
      trial.visibleAtMs === null ? null : trialPoint(trial, laggard.share, stopping),
    ),
  };
}
