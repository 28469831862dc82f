import type { HeldObservation } from '../consistency/observe-for.ts';
import type { Observation } from '../consistency/observe-until.ts';
import type { FailureEvidence } from '../failures.ts';

/** One consistency observation as the report keeps it. */
export interface ObservationEvidence {
  readonly outcome: Observation<unknown>['outcome'];
  readonly staleReads: number;
  readonly staleForMs: number;
}

/** One watch for a revert as the report keeps it (observeFor). */
export interface WatchEvidence {
  readonly outcome: HeldObservation<unknown>['outcome'];
  readonly reads: number;
  /** How long the watch read (to the revert, if any). */
  readonly afterMs: number;
}

/** How fast-check reported a failed property (enough to replay it), from its run details. */
export interface PropertyFailure {
  readonly seed: number;
  readonly path: string;
  readonly counterexample: string;
  readonly shrinks: number;
  /** How many generated cases ran before the first failing one (fast-check's "failed after N tests"). */
  readonly runsUntilFailure: number;
}

/** What one test leaves for the report, carried to the main process in vitest's task meta. */
export interface TestEvidence {
  /** `operationId status` pairs the test's exchanges answered. */
  readonly coverage: readonly string[];
  readonly observations: readonly ObservationEvidence[];
  readonly watches: readonly WatchEvidence[];
  /** For a failed property: fast-check's seed, path, counterexample and shrink count (its run details). */
  readonly property?: PropertyFailure;
  /** Requests the test sent through the harness's HTTP client (absent from evidence of older versions). */
  readonly requests?: number;
  /** The contract failure behind the test's final error, when it is one. */
  readonly failure?: FailureEvidence;
  /**
   * Generic violations found on answers the test could still use (a header, a Content-Type, an
   * error body), recorded on their own rule while the test went on: one per rule, the first seen.
   */
  readonly violations?: readonly FailureEvidence[];
  /**
   * Why the test asked for what the run's target cannot give (under --run-id: a store of its
   * own), when it did: its failure then makes its rules not applicable, not failed.
   */
  readonly notApplicable?: string;
}
