// The verdict vocabulary a run hands to the reports: test outcomes and rule verdicts (types only; the judging is `runner/rule-verdicts.ts`).
import type { ContractRule, RuleId } from '../contract/rule-catalog.ts';
import type { PropertyFailure, TestEvidence } from '../worker/test-evidence.ts';

export type { PropertyFailure } from '../worker/test-evidence.ts';

/** One test's outcome, as the verdict reporter saw it. */
export interface TestOutcome {
  readonly title: string;
  readonly file: string;
  /** Rule ids the test declares in its meta (`cites`, harness/worker/rule-test.ts). */
  readonly rules: readonly RuleId[];
  readonly state: 'passed' | 'failed' | 'skipped';
  /** Why a skipped test was skipped, when its suite says so (a `(skipped: …)` note in its title path). */
  readonly skipNote: string | undefined;
  /** Rule ids named by the test's contract failure, if its failure is one. */
  readonly failedRules: readonly RuleId[];
  /** The test was stopped by a time limit (fast-check's or the runner's) before it judged its rules. */
  readonly interrupted?: boolean;
  /**
   * The test failed on an error of the harness's own code (a TypeError in a suite, a helper or a
   * driver adapter), not on anything the target or a client library did: what it says and where.
   * Its rules are then not checked, never failed.
   */
  readonly harnessError?: string;
  readonly message: string | undefined;
  readonly durationMs: number;
  /** What the test left: coverage, consistency observations, its contract failure. */
  readonly evidence: TestEvidence | undefined;
  /** For a failed property: fast-check's seed, path, shrunk counterexample and shrink count. */
  readonly property: PropertyFailure | undefined;
}

/**
 * Why a rule was not judged: not under this profile, not selected by a filter, in another shard —
 * none of which the run was asked to check (verdict `skipped`) — or asked but not checked (verdict
 * `inconclusive`): its tests did not run (`not-run`), failed on another rule first (`blocked`), or
 * met an error of the harness (`harness-error`).
 */
export type UnjudgedReason = 'profile' | 'filter' | 'shard' | 'not-run' | 'blocked' | 'harness-error';

/** A declared known failure of a rule: why, where it is tracked, and who declared it. */
export interface RuleExpectation {
  readonly reason: string;
  readonly link: string | undefined;
  /** `--expect-fail`, or the manifest file and driver (`spec/expected-deviations.yaml: apify-client`). */
  readonly from: string;
}

/** The verdict on one rule. */
export interface RuleVerdict {
  readonly rule: ContractRule;
  /**
   * `expected-fail` and `unexpectedly-passing` are a fail and a pass that a declaration
   * (`--expect-fail`, a deviation manifest) said would fail: see runner/expected-failures.ts.
   */
  readonly verdict: 'pass' | 'fail' | 'skipped' | 'inconclusive' | 'expected-fail' | 'unexpectedly-passing';
  /**
   * Why a rule was skipped (not asked for: reason `profile`, `filter`, `shard`) or inconclusive
   * (asked for and not fully checked: `not-run`, `blocked`, `harness-error`); each rule is one.
   */
  readonly reason: string | undefined;
  /** The declaration that expects the rule to fail, when there is one. */
  readonly expectation?: RuleExpectation;
  readonly reasonKind: UnjudgedReason | undefined;
  readonly tests: readonly TestOutcome[];
  /** The failing tests whose failure this rule is blamed for. */
  readonly failures: readonly TestOutcome[];
}
