import { quantileSorted } from 'simple-statistics';
import { estimateFullVisibility } from '../../harness/consistency/full-visibility-estimate.ts';
import type { StoppingRule } from '../../harness/consistency/stopping-rule.ts';
import type { VisibilityTrial } from '../../harness/consistency/visibility-trial.ts';
import type { RecordedChange } from './replicated-store.ts';

/** What really happened in one trial against the replicated store, from its acknowledgement (ms). */
export interface TrialTruth {
  /** When each replica received the measured change. */
  readonly arrivalsMs: readonly number[];
  /** When the last replica received it: the true time to full visibility. */
  readonly fullMs: number;
  /** How long before the acknowledgement came back the store committed the change (≥ 0). */
  readonly ackDelayMs: number;
}

/**
 * One trial's truth from the store's recorded changes to the trial's key (ReplicatedStore.changesOf,
 * with keepHistory): the measured change is the last one committed before the trial's
 * acknowledgement came back (the store runs in the same process, on the same performance.now()
 * clock). Undefined when the trial wrote nothing the store recorded (censored before its write).
 */
export function trialTruth(
  changes: readonly RecordedChange[],
  trial: VisibilityTrial,
): TrialTruth | undefined {
  const change = changes.findLast((candidate) => candidate.committedAt <= trial.acknowledgedAt);
  if (!change || trial.probes.length === 0) return undefined;
  const arrivalsMs = change.arrivesAt.map((at) => at - trial.acknowledgedAt);
  return {
    arrivalsMs,
    fullMs: Math.max(...arrivalsMs),
    ackDelayMs: trial.acknowledgedAt - change.committedAt,
  };
}

/** The truth of a set of trials, counted from each one's acknowledgement, and how the measurement's claims held. */
export interface TruthFromAcknowledgement {
  /** P(a read t ms after the acknowledgement goes to a replica that has the change), averaged over the trials. */
  readonly tVisibility: (tMs: number) => number;
  /** Share of the trials whose change had reached every replica t ms after the acknowledgement. */
  readonly fullVisibility: (tMs: number) => number;
  /** The p-quantile of the true times to full visibility. */
  readonly fullQuantile: (p: number) => number;
  /** Median time from commit to acknowledgement (ms): why the closed form, counted from the commit, reads lower. */
  readonly ackDelayMs: number;
  readonly trials: number;
  /** Trials whose true time was not after the last stale read's send time (a claim the reads make for sure; must be 0). */
  readonly belowLower: number;
  /** Trials whose true time was after the estimate's upper end (FullVisibilityPoint.upperMs: sure with one replica; within the stopping rule's miss bound with more). */
  readonly aboveUpper: number;
  /** Per trial, the estimate (bench consistency's time to full visibility) − true time (ms), sorted. */
  readonly errorsMs: readonly number[];
  /** Share of the timed trials whose estimate was below their true time (a median-unbiased estimate: about half). */
  readonly shareBelow: number;
  /** The same share for the plain midpoint of (last stale send, first confirming answer] (VisibilityTrial.visibleAtMs), which ignores a missed laggard. */
  readonly midpointShareBelow: number;
}

/**
 * Compares every trial's estimated full-visibility time (estimateFullVisibility over these trials,
 * as bench consistency makes it) with its truth and builds the truth curves from the acknowledgement.
 */
export function truthFromAcknowledgement(
  judged: readonly { readonly trial: VisibilityTrial; readonly truth: TrialTruth }[],
  stopping: StoppingRule,
): TruthFromAcknowledgement {
  const full = judged.map(({ truth }) => truth.fullMs).sort((a, b) => a - b);
  const share = (count: number) => (judged.length === 0 ? 0 : count / judged.length);
  const { points } = estimateFullVisibility(
    judged.map(({ trial }) => trial),
    stopping,
  );
  const timed = judged.flatMap(({ trial, truth }, index) => {
    const point = points[index];
    return point && trial.visibleWithinMs !== null ? [{ trial, truth, point }] : [];
  });
  const below = (count: number) => (timed.length === 0 ? 0 : count / timed.length);
  const sawStale = ({ trial }: (typeof judged)[number]) =>
    trial.probes.some((probe) => probe.state !== 'new');
  return {
    tVisibility: (tMs) =>
      share(
        judged.reduce(
          (sum, { truth }) =>
            sum + truth.arrivalsMs.filter((at) => at <= tMs).length / truth.arrivalsMs.length,
          0,
        ),
      ),
    fullVisibility: (tMs) => share(full.filter((at) => at <= tMs).length),
    fullQuantile: (p) => (full.length === 0 ? Number.NaN : quantileSorted(full, p)),
    ackDelayMs:
      judged.length === 0
        ? 0
        : quantileSorted(
            judged.map(({ truth }) => truth.ackDelayMs).sort((a, b) => a - b),
            0.5,
          ),
    trials: judged.length,
    belowLower: timed.filter(
      (judgement) =>
        sawStale(judgement) && judgement.truth.fullMs <= (judgement.trial.visibleWithinMs?.[0] ?? 0),
    ).length,
    aboveUpper: timed.filter(({ truth, point }) => truth.fullMs > point.upperMs).length,
    errorsMs: timed.map(({ truth, point }) => point.pointMs - truth.fullMs).sort((a, b) => a - b),
    shareBelow: below(timed.filter(({ truth, point }) => point.pointMs < truth.fullMs).length),
    midpointShareBelow: below(
      timed.filter(({ trial, truth }) => (trial.visibleAtMs ?? Infinity) < truth.fullMs).length,
    ),
  };
}
