import type { ConsistencyOperation } from './consistency-operation.ts';
import type { StoppingRule } from './stopping-rule.ts';
import type { TVisibilityPoint } from './visibility-statistics.ts';
import type { CENSOR_REASONS, TrialAnomaly } from './visibility-trial.ts';

/**
 * A quantile (Kaplan–Meier, censored trials included) with its bootstrap confidence interval (ms);
 * valueMs null: the data cannot reach it, and it is at least `atLeastMs`.
 */
export interface QuantileEstimate {
  readonly valueMs: number | null;
  readonly lowMs: number | null;
  readonly highMs: number | null;
  readonly atLeastMs?: number;
  /**
   * Set when fewer trials were made than the quantile needs, 1/(1 − p) (p99: 100, p99.9: 1000):
   * n trials cannot estimate it, so there is no value (valueMs null; atLeastMs: the largest time seen).
   */
  readonly trialsNeeded?: number;
}

/** p50/p90/p99/p99.9 and the largest visibility time of one kind of change. */
export interface VisibilityQuantiles {
  readonly p50: QuantileEstimate;
  readonly p90: QuantileEstimate;
  readonly p99: QuantileEstimate;
  readonly p999: QuantileEstimate;
  readonly max: QuantileEstimate;
}

/** Two quantiles of a duration (ms). */
export interface LatencySummary {
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** The verdict of one kind of change against the window. */
export interface WindowVerdict {
  /** The quantile judged (p99.9). */
  readonly quantile: 'p99.9';
  readonly valueMs: number | null;
  readonly windowMs: number;
  readonly within: boolean;
  /** Censored trials (not past the window) hide the quantile: neither within nor over. */
  readonly undetermined?: true;
  /** E.g. "p99.9 of overwrite visibility 412 ms ≤ window 1000 ms". */
  readonly text: string;
}

/** The benchmark's verdict in one word (the headline and the exit code). */
export type BenchOutcome = 'within' | 'over' | 'undetermined' | 'interrupted';

/** The headline's words for each outcome: "Consistency benchmark: <words> the window of … ms". */
export const BENCH_OUTCOME_WORDS: Readonly<Record<BenchOutcome, string>> = {
  within: 'within',
  over: 'NOT within',
  undetermined: 'undetermined against',
  interrupted: 'interrupted (not every trial made) against',
};

/** The outcome of a run: interrupted first, then any kind of change over the window, then undetermined. */
export function benchOutcome(interrupted: boolean, verdicts: readonly WindowVerdict[]): BenchOutcome {
  if (interrupted) return 'interrupted';
  if (verdicts.some((verdict) => !verdict.within && verdict.undetermined !== true)) return 'over';
  return verdicts.every((verdict) => verdict.within) ? 'within' : 'undetermined';
}

/** What the benchmark measured for one kind of change. */
export interface OperationVisibility {
  readonly operation: ConsistencyOperation;
  readonly description: string;
  readonly trials: number;
  /** Trials that could not be made (setup or write refused, setup never settled), and the first reason. */
  readonly failedTrials: number;
  readonly failure?: string;
  /** Trials without a time, per reason (each trial has a time or exactly one reason). */
  readonly censored: Readonly<Record<(typeof CENSOR_REASONS)[number], number>>;
  /** Fraction of timed trials no probe of which ever showed a state before the change. */
  readonly consistentAtZero: number;
  /**
   * Time to full visibility — the moment the change reached the last replica, estimated per trial
   * from its reads (see `fullVisibility`) — Kaplan–Meier with censoring.
   */
  readonly quantiles: VisibilityQuantiles;
  /** P(fully visible by t) (Kaplan–Meier of the same estimate), one point per slot up to the largest time. */
  readonly curve: readonly { readonly tMs: number; readonly p: number }[];
  /**
   * What the time to full visibility is (harness/consistency/full-visibility-estimate.ts): per trial
   * the last stale read's send time (a sure lower bound) corrected for the reads that missed the
   * last lagging replica after it, which each read reaches with chance `laggardShare` (random
   * routing over N replicas: 1/N̂, N̂ the replicas the trials' reads show, replica-lag-model.ts;
   * 1 with one replica: then no correction). `lowerBound`: the plain last stale read, beside it.
   */
  readonly fullVisibility: {
    readonly laggardShare: number;
    /** Decided trials with a stale read: the ones that tell the replicas apart. */
    readonly laggardTrials: number;
    readonly lowerBound: {
      readonly quantiles: VisibilityQuantiles;
      readonly curve: readonly { readonly tMs: number; readonly p: number }[];
    };
  };
  /** t-visibility: P(a single read t ms after the acknowledgement shows the change), with 95% intervals. */
  readonly tVisibility: readonly TVisibilityPoint[];
  /**
   * k-staleness (PBS), where a trial's versions can be told apart (`versions`): per k from 1 to
   * K − 2, P(a single read t ms after the last version's acknowledgement shows one at most k
   * versions old); k = 0 is tVisibility, k = K − 1 the settled first version.
   */
  readonly kStaleness?: readonly { readonly k: number; readonly curve: readonly TVisibilityPoint[] }[];
  /**
   * Session guarantees, with sticky readers (each reader one keep-alive connection, a session; the
   * first made the change): sessions that read a version and then an older one (monotonic reads
   * broken), and writer sessions that read an older state after their own acknowledged change
   * (read-your-writes broken). The across-reader count is anomalies['cross-reader-non-monotonic'].
   */
  readonly sessions?: {
    readonly sessions: number;
    readonly monotonicReadsBroken: number;
    readonly writerSessions: number;
    readonly readYourWritesBroken: number;
  };
  /** Reads after the acknowledgement that the curves are made of. */
  readonly reads: number;
  /** Share of reads between a trial's first read of the change and its last stale read that were stale. */
  readonly mixedStaleShare: number | null;
  /** How long setups took to be seen stably by every reader (ms). */
  readonly settle: LatencySummary;
  /** Visibility times in bins (the last bin counts censored trials, with fromMs = max-wait). */
  readonly histogram: readonly {
    readonly fromMs: number;
    readonly toMs: number;
    readonly count: number;
    readonly censored?: true;
  }[];
  readonly anomalies: Readonly<Record<TrialAnomaly['kind'], number>>;
  /** Up to 5 examples of each kind of anomaly. */
  readonly examples: readonly {
    readonly trial: number;
    readonly kind: TrialAnomaly['kind'];
    readonly detail: string;
  }[];
  readonly requests: number;
  readonly writeLatency: LatencySummary;
  readonly probeLatency: LatencySummary;
  readonly probeLateness: LatencySummary;
  readonly verdict: WindowVerdict;
  /** The estimated times to full visibility per measured trial (ms; null = censored), for comparisons with a known truth. */
  readonly samples: readonly (number | null)[];
  /**
   * Per measured trial, in the order of `samples`: bounds (low, high] on the time to full
   * visibility counted from the server's commit (which the client only knows to lie within the
   * write's round trip); null when the trial did not converge. low: the last stale read's send
   * time (sure: the change was not everywhere then); high: the estimate's upper end
   * (FullVisibilityPoint.upperMs) plus the write's round trip — sure when every read looked at one
   * state (laggard share 1), else missed with at most the stopping rule's chance
   * (settings.stopping.missBound, for a laggard answering at least lagShare of the reads).
   */
  readonly lagBoundsMs: readonly (readonly [number, number] | null)[];
}

/** The settings a benchmark ran with. */
export interface ConsistencyBenchSettings {
  readonly trials: number;
  readonly readers: number;
  readonly resolutionMs: number;
  readonly maxWaitMs: number;
  readonly windowMs: number;
  readonly parallel: number;
  /** How long every reader must see a setup stably before the change, and the resurrection threshold (ms). */
  readonly settleMs: number;
  /** The versions a `versions` trial writes (v1 settled, then v2 … vK back to back). */
  readonly versions: number;
  /** Every reader a session on one keep-alive connection, the change made through the first. */
  readonly stickyReaders: boolean;
  /** When a trial stops confirming; `confirmations` reads in a row are needed, missing a laggard with chance ≤ missBound. */
  readonly stopping: StoppingRule & { readonly confirmations: number };
  readonly operations: readonly ConsistencyOperation[];
  readonly bootstrap: { readonly resamples: number; readonly seed: number };
}

/** A whole `bench consistency` result: the content of consistency.json. */
export interface ConsistencyBenchResult {
  readonly format: 'kvs-conformance-consistency/2';
  readonly harnessVersion: string;
  readonly startedAt: string;
  /** The target URL (redacted), or a description of the embedded server. */
  readonly target: string;
  readonly settings: ConsistencyBenchSettings;
  readonly cost: {
    readonly estimatedRequests: { readonly min: number; readonly max: number };
    /** The whole run's cost projected from the first trials of each kind of change (a tenth, at least one round). */
    readonly projected: { readonly requests: number; readonly durationMs: number };
    readonly requests: number;
    readonly durationMs: number;
  };
  /**
   * How exact a visibility time is: probes are sent on slots `stepMs` apart; each is sent a little
   * late (probeLateness) and needs a round trip (requestLatency); a time is exact to within
   * `stepMs + p99 lateness + p99 request latency` = `honestMs`.
   */
  readonly resolution: {
    readonly stepMs: number;
    readonly probeLateness: LatencySummary;
    readonly requestLatency: LatencySummary;
    readonly honestMs: number;
  };
  readonly operations: readonly OperationVisibility[];
  /** Whether every kind of change was within the window, the verdict in one word, and its lines. */
  readonly verdict: {
    readonly within: boolean;
    /**
     * within: every kind of change within the window; over: one past it; undetermined: the trials
     * cannot tell (none over); interrupted: the run was stopped before every trial was made.
     */
    readonly outcome: BenchOutcome;
    readonly lines: readonly string[];
  };
  /** The target's known truth, when it is a simulator (set by whoever knows it; drawn dashed in the report). */
  readonly truth?: {
    readonly label: string;
    readonly operations: readonly {
      readonly operation: ConsistencyOperation;
      readonly tVisibility: readonly { readonly tMs: number; readonly p: number }[];
      readonly fullVisibility: readonly { readonly tMs: number; readonly p: number }[];
    }[];
  };
  /** Stores the benchmark could not delete (they stay on the target). */
  readonly leftStores: readonly { readonly id: string; readonly reason: string }[];
}
