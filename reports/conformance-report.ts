/** The version of the report format (report.json and its JSON Schema). */
export const REPORT_FORMAT_VERSION = 1;

/** The verdict on one rule. */
export type RuleVerdictKind = 'pass' | 'fail' | 'skipped' | 'inconclusive';

/** One exchange of a failing case. */
export interface ReportExchange {
  readonly curl: string;
  readonly method: string;
  readonly url: string;
  readonly status: number | null;
  readonly error: string | null;
  readonly responseExcerpt: string;
  readonly durationMs: number;
}

/** One failing case of a rule, with everything needed to replay it. */
export interface ReportFailure {
  readonly test: string;
  readonly file: string;
  /** The rule the failure names (may differ from the test's own, e.g. a schema violation found on the way). */
  readonly ruleId: string;
  readonly message: string;
  readonly counterexample: { readonly text: string; readonly data: unknown } | null;
  readonly seed: number | null;
  readonly path: string | null;
  readonly shrinks: number | null;
  /** Generated cases run before the first failing one. */
  readonly runsUntilFailure: number | null;
  readonly exchanges: readonly ReportExchange[];
  /** The exact command that replays only this failure. */
  readonly replay: string;
}

/** One rule of the catalog with its verdict in this run. */
export interface ReportRule {
  readonly id: string;
  readonly area: string;
  readonly level: 'MUST' | 'SHOULD';
  readonly rule: string;
  readonly source: string;
  readonly verdict: RuleVerdictKind;
  readonly reason: string | null;
  /** How many tests (properties) cited the rule, and their outcomes. */
  readonly tests: readonly {
    readonly title: string;
    readonly file: string;
    readonly state: string;
    readonly durationMs: number;
  }[];
  readonly failures: readonly ReportFailure[];
}

/** Which statuses of an operation the run saw, against those the contract documents. */
export interface ReportCoverage {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  readonly documented: readonly number[];
  readonly observed: readonly number[];
}

/** Stale reads the harness tolerated (and those it did not) while waiting for writes to show. */
export interface ReportConsistency {
  readonly observations: number;
  readonly fresh: number;
  readonly toleratedStale: number;
  readonly violations: number;
  readonly staleReads: number;
  readonly maxStaleMs: number;
  readonly p50StaleMs: number;
  readonly p90StaleMs: number;
  readonly p99StaleMs: number;
  /** How long each tolerated-stale observation waited, for charts and merges. */
  readonly staleDurationsMs: readonly number[];
}

/** One profile setting in force, with what it means and why it is open. */
export interface ReportAssumption {
  readonly setting: string;
  readonly value: string | number;
  readonly meaning: string;
  readonly source: string;
}

/** Counts over rules and tests. */
export interface ReportTotals {
  readonly rules: number;
  readonly pass: number;
  readonly fail: number;
  readonly mustFail: number;
  readonly skipped: number;
  readonly inconclusive: number;
  readonly tests: number;
  readonly testsPassed: number;
  readonly testsFailed: number;
  readonly testsSkipped: number;
}

/** Stores of the run left on the target after cleanup, and what went wrong while cleaning up. */
export interface ReportCleanup {
  readonly deleted: number;
  readonly left: readonly { readonly id: string; readonly reason: string }[];
  readonly problems: readonly string[];
}

/** The conformance report: one model, rendered as JSON, JUnit XML, Markdown and HTML. */
export interface ConformanceReport {
  readonly format: typeof REPORT_FORMAT_VERSION;
  readonly harness: { readonly name: 'kvs-conformance'; readonly version: string };
  readonly spec: { readonly file: string; readonly version: string };
  readonly target: { readonly url: string; readonly embedded: boolean };
  readonly profile: { readonly preset: string | null; readonly assumptions: readonly ReportAssumption[] };
  readonly run: {
    readonly seed: number;
    readonly runs: number;
    readonly shard: { readonly index: number; readonly count: number } | null;
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly durationMs: number;
    readonly interrupted: boolean;
  };
  readonly verdict: 'pass' | 'fail';
  readonly totals: ReportTotals;
  readonly rules: readonly ReportRule[];
  readonly coverage: readonly ReportCoverage[];
  readonly consistency: ReportConsistency;
  readonly runErrors: readonly string[];
  /** Present only when cleanup left a store of the run on the target or met a problem. */
  readonly cleanup?: ReportCleanup;
}
