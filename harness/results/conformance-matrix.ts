// The conformance matrix a `matrix` run hands to the reports (types only; built by `runner/build-matrix.ts`).
import type { RuleLevel } from '../contract/rule-catalog.ts';
import type { DriverInfo } from '../drivers/kvs-driver.ts';

/**
 * A cell's verdict. `expected-fail`: fails as the expected-deviation manifest says;
 * `unexpectedly-passing`: the manifest expects a failure and the rule passed (strict xfail);
 * `not-applicable`: the driver cannot express the rule (or it is wire-level: http only).
 */
export type MatrixVerdict =
  'pass' | 'fail' | 'expected-fail' | 'unexpectedly-passing' | 'not-applicable' | 'skipped';

/** One rule through one driver. */
export interface MatrixCell {
  readonly verdict: MatrixVerdict;
  /** Why not applicable or skipped; for an expected fail, the manifest's reason. */
  readonly reason: string | null;
  /** The failing test's message (first line). */
  readonly message: string | null;
  /** fast-check's shrunk counterexample, when a property failed. */
  readonly counterexample: string | null;
  /** The manifest entry's link (an upstream issue or a write-up in docs/findings/). */
  readonly link: string | null;
}

/** One rule with a cell per driver. */
export interface MatrixRow {
  readonly ruleId: string;
  readonly level: RuleLevel;
  readonly rule: string;
  readonly cells: Readonly<Record<string, MatrixCell>>;
}

/** Rules as rows, drivers (implementations) as columns. */
export interface ConformanceMatrix {
  readonly targetUrl: string;
  readonly seed: number;
  readonly drivers: readonly DriverInfo[];
  readonly rows: readonly MatrixRow[];
  /** Where the expected deviations came from (none: every failure is red). */
  readonly manifest: string | null;
  /** Cells that turn a CI job red: new failures and unexpected passes. */
  readonly red: number;
  /**
   * Why the matrix did not check everything it was asked to, one line per reason (a client driver
   * through which no test ran): never green then.
   */
  readonly incomplete: readonly string[];
}
