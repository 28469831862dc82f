/** The version of the report format (report.json and its JSON Schema): the major of REPORT_SCHEMA_VERSION. */
export const REPORT_FORMAT_VERSION = 3;

/**
 * The semantic version of the report schema (`reports/conformance-report.schema.json`): a new
 * optional field raises the minor, a removed or changed field raises the major (and the format).
 */
export const REPORT_SCHEMA_VERSION = '3.1.0';

/**
 * The verdict on one rule. `expected-fail` is a fail that a declaration (`--expect-fail`, a
 * deviation manifest) expected; `unexpectedly-passing` a pass where one expected a failure (red:
 * remove the declaration) — the same words as the matrix's cells. `inconclusive` ("not checked"):
 * the run was asked to check the rule and did not fully; `skipped`: it was not asked to (the
 * profile, a filter, another shard). Since format 3 each rule is in exactly one of them.
 */
export type RuleVerdictKind =
  'pass' | 'fail' | 'skipped' | 'inconclusive' | 'expected-fail' | 'unexpectedly-passing';

/**
 * Why a rule was not judged: `profile`, `filter` and `shard` are rules the run was not asked to
 * check (verdict `skipped`); `not-run` (its tests did not run), `blocked` (a test citing it failed
 * on another rule first) and `harness-error` (a test citing it met a bug of the harness, not of
 * the target) are rules it was asked to check and did not (verdict `inconclusive`) — they make
 * the run INCOMPLETE.
 */
export type UnjudgedReasonKind = 'profile' | 'filter' | 'shard' | 'not-run' | 'blocked' | 'harness-error';

/**
 * The run's verdict, the same word in every format: PASS (every selected rule checked and
 * passed), PASS WITH EXPECTED DEVIATIONS (every failure was declared with --expect-fail or
 * --deviations), PASS WITH WARNINGS (only SHOULD rules failed), FAIL (a MUST rule failed, or a
 * declared failure passed: unexpectedly passing), INCOMPLETE
 * (interrupted, the suites could not all run, or a selected rule was not checked) — a run that
 * did not check everything it was asked to never says PASS.
 */
export type RunVerdict =
  'PASS' | 'PASS WITH EXPECTED DEVIATIONS' | 'PASS WITH WARNINGS' | 'FAIL' | 'INCOMPLETE';

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
  /** For a failing command sequence (the stateful suite): its steps, and every request as a shell script. */
  readonly sequence?: readonly ReportSequenceStep[];
  readonly curlScript?: string;
}

/** One step of a failing command sequence: the command, its requests, what the model expected and what came. */
export interface ReportSequenceStep {
  readonly step: number;
  readonly command: string;
  readonly requests: readonly string[];
  readonly expected: string;
  readonly got: string;
}

/** One public statement a rule or setting rests on (see docs/rules.md); url is null for an inference. */
export interface ReportSource {
  readonly kind: 'doc' | 'client' | 'rfc' | 'issue' | 'inference';
  readonly title: string;
  readonly url: string | null;
  readonly locator: string | null;
  readonly quote: string;
  /** For an inference: the profile setting that settles it. */
  readonly setting: string | null;
}

/** One rule of the catalog with its verdict in this run. */
export interface ReportRule {
  readonly id: string;
  readonly area: string;
  readonly level: 'MUST' | 'SHOULD';
  readonly rule: string;
  /** The sources in one line (title and locator each); `sources` has them in full. */
  readonly source: string;
  readonly sources: readonly ReportSource[];
  /** The URL of the rule's entry in the rules reference (docs/rules.md#kvs-area-nnn). */
  readonly reference: string;
  readonly verdict: RuleVerdictKind;
  readonly reason: string | null;
  readonly reasonKind: UnjudgedReasonKind | null;
  /** How many tests (properties) cited the rule, and their outcomes. */
  readonly tests: readonly {
    readonly title: string;
    readonly file: string;
    readonly state: string;
    readonly durationMs: number;
    /** Requests the test sent to the target (absent in reports before schema 2.3.0). */
    readonly requests?: number;
  }[];
  /**
   * Requests sent by the tests citing the rule (a test citing several rules counts for each;
   * absent in reports before schema 2.3.0).
   */
  readonly requests?: number;
  readonly failures: readonly ReportFailure[];
  /** The declaration that expects this rule to fail (absent: none; absent in reports before schema 2.2.0). */
  readonly expectation?: ReportExpectation;
}

/** A declared known failure: why, where it is tracked, who declared it (`--expect-fail` or a manifest). */
export interface ReportExpectation {
  readonly reason: string;
  readonly link: string | null;
  readonly from: string;
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
  /**
   * Observations of a write showing that were still stale past the window. Not the KVS-CONS
   * rules' verdicts, which judge more (monotonic reads, lost updates, reverts): see `rules`.
   */
  readonly violations: number;
  readonly staleReads: number;
  readonly maxStaleMs: number;
  readonly p50StaleMs: number;
  readonly p90StaleMs: number;
  readonly p99StaleMs: number;
  /** How long each tolerated-stale observation waited, for charts and merges. */
  readonly staleDurationsMs: readonly number[];
  /** The watches for a revert after a change showed (absent in reports before schema 2.1.0). */
  readonly revertWatches?: ReportRevertWatches;
}

/**
 * The watches that kept reading after an overwrite, a delete or a refused write had shown, for the
 * profile's settle time (consistencySettleMs), to catch the old state coming back.
 */
export interface ReportRevertWatches {
  readonly watches: number;
  /** Watches that saw the old state again (each one a failed KVS-CONS-003/006 or KVS-LIMIT-003). */
  readonly reverted: number;
  readonly reads: number;
  /** The longest a watch read without seeing a revert. */
  readonly longestHeldMs: number;
}

/** One profile setting in force, with what it means and why it is open. */
export interface ReportAssumption {
  readonly setting: string;
  readonly value: string | number;
  readonly meaning: string;
  /** The evidence in one line; `sources` has it in full. */
  readonly source: string;
  readonly sources: readonly ReportSource[];
  /** The URL of the setting's entry in the rules reference. */
  readonly reference: string;
}

/** A driver the client rule families ran through: the implementation a report column judges. */
export interface ReportDriver {
  readonly name: string;
  readonly package: string | null;
  readonly version: string | null;
  readonly transport: 'http' | 'in-process';
}

/**
 * Counts over rules and tests. The rule counts partition the rules, one per verdict: rules = pass +
 * fail + expectedFail + unexpectedlyPassing + inconclusive + skipped; mustFail + shouldFail = fail.
 */
export interface ReportTotals {
  readonly rules: number;
  readonly pass: number;
  readonly fail: number;
  readonly mustFail: number;
  readonly shouldFail: number;
  /** Failures a declaration expected. */
  readonly expectedFail: number;
  /** Declared failures that passed. */
  readonly unexpectedlyPassing: number;
  /** Rules the run was asked to check and did not fully ("not checked"): they make it INCOMPLETE. */
  readonly inconclusive: number;
  /** Rules the run was not asked to check (the profile, a filter, another shard). */
  readonly skipped: number;
  readonly tests: number;
  readonly testsPassed: number;
  readonly testsFailed: number;
  readonly testsSkipped: number;
}

/** Stores of the run left on the target after cleanup, and what went wrong while cleaning up. */
export interface ReportCleanup {
  /** Stores the target handed back to the run (absent in reports of older versions). */
  readonly created?: number;
  readonly deleted: number;
  readonly left: readonly { readonly id: string; readonly reason: string }[];
  readonly problems: readonly string[];
}

/** Where the run's requests to the target went (counted at the harness's HTTP client and its client drivers). */
export interface ReportRequests {
  readonly total: number;
  /** Sent by the tests; each test's count is in `rules[].tests[].requests`. */
  readonly tests: number;
  /** Sent by the suite files outside any test: their set-up and the clean-up of their stores. */
  readonly suiteFiles: number;
  /** Sent by the runner: the check that the target answers, and the last cleanup pass. */
  readonly runner: number;
}

/** The conformance report: one model, rendered as JSON, JUnit XML, Markdown and HTML. */
export interface ConformanceReport {
  readonly format: typeof REPORT_FORMAT_VERSION;
  /** The schema's semantic version (REPORT_SCHEMA_VERSION). */
  readonly schemaVersion?: string;
  readonly harness: { readonly name: 'kvs-conformance'; readonly version: string };
  /**
   * The contract: its base document (file or URL, `info.version`), the overlay version applied to
   * it, and the version of the official document the overlay was last compared against.
   */
  readonly spec: {
    readonly file: string;
    readonly version: string;
    readonly overlay: string;
    readonly comparedAgainst: string;
    /** The base as given with `run --spec` (absolute path or URL), absent for the shipped one; `replay` reads it. */
    readonly given?: string;
  };
  /** The rules reference the rule links point into: its URL and the copy in the installed package. */
  readonly rulesReference: { readonly url: string; readonly file: string };
  readonly target: { readonly url: string; readonly embedded: boolean };
  /** The drivers of the run, each with the package and version it exercised. */
  readonly drivers: readonly ReportDriver[];
  readonly profile: { readonly preset: string | null; readonly assumptions: readonly ReportAssumption[] };
  readonly run: {
    readonly seed: number;
    /** Where the seed came from: `flag`, `environment`, a config file, a CI variable such as `GITHUB_RUN_ID`, or `random`. */
    readonly seedSource?: string;
    readonly runs: number;
    /** The stateful suite's longest command sequence (`--max-commands`), needed to replay its failures. */
    readonly maxCommands?: number;
    /** Since 3.1.0: the run's `--driver` values (a module as its absolute path), for `replay`. */
    readonly driverFlags?: readonly string[];
    readonly shard: { readonly index: number; readonly count: number } | null;
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly durationMs: number;
    readonly interrupted: boolean;
  };
  readonly verdict: RunVerdict;
  /** Why the verdict is INCOMPLETE (or would be, under a FAIL): one line per reason. */
  readonly incomplete: readonly string[];
  readonly totals: ReportTotals;
  readonly rules: readonly ReportRule[];
  readonly coverage: readonly ReportCoverage[];
  readonly consistency: ReportConsistency;
  readonly runErrors: readonly string[];
  /** What cleanup did: stores created, deleted and left with why (absent in reports of older versions). */
  readonly cleanup?: ReportCleanup;
  /** Where the run's requests went (absent in reports before schema 2.3.0). */
  readonly requests?: ReportRequests;
}
