import type {
  ConformanceReport,
  ReportConsistency,
  ReportRevertWatches,
  ReportRule,
  ReportTotals,
  RunVerdict,
} from './conformance-report.ts';

/** Whether the run was asked to check the rule and did not (fully): verdict `inconclusive`. */
export const isUnchecked = (rule: Pick<ReportRule, 'verdict'>): boolean => rule.verdict === 'inconclusive';

/** The p-th percentile (nearest rank) of a list of numbers; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** The consistency section from observation counts and the tolerated-stale durations. */
export function consistencySection(
  counts: { observations: number; fresh: number; violations: number; staleReads: number },
  staleDurationsMs: readonly number[],
  revertWatches: ReportRevertWatches,
): ReportConsistency {
  return {
    ...counts,
    toleratedStale: staleDurationsMs.length,
    maxStaleMs: staleDurationsMs.length === 0 ? 0 : Math.max(...staleDurationsMs),
    p50StaleMs: percentile(staleDurationsMs, 50),
    p90StaleMs: percentile(staleDurationsMs, 90),
    p99StaleMs: percentile(staleDurationsMs, 99),
    staleDurationsMs,
    revertWatches,
  };
}

/** Totals over rules and their tests. */
export function totalsOf(rules: readonly ReportRule[]): ReportTotals {
  const tests = new Map<string, string>();
  for (const rule of rules)
    for (const test of rule.tests) tests.set(`${test.file}\u0000${test.title}`, test.state);
  const states = [...tests.values()];
  return {
    rules: rules.length,
    pass: rules.filter((rule) => rule.verdict === 'pass').length,
    fail: rules.filter((rule) => rule.verdict === 'fail').length,
    mustFail: rules.filter((rule) => rule.verdict === 'fail' && rule.level === 'MUST').length,
    shouldFail: rules.filter((rule) => rule.verdict === 'fail' && rule.level === 'SHOULD').length,
    expectedFail: rules.filter((rule) => rule.verdict === 'expected-fail').length,
    unexpectedlyPassing: rules.filter((rule) => rule.verdict === 'unexpectedly-passing').length,
    inconclusive: rules.filter(isUnchecked).length,
    skipped: rules.filter((rule) => rule.verdict === 'skipped').length,
    tests: states.length,
    testsPassed: states.filter((state) => state === 'passed').length,
    testsFailed: states.filter((state) => state === 'failed').length,
    testsSkipped: states.filter((state) => state === 'skipped').length,
  };
}

/** Why a run is incomplete: interrupted, suites that could not run, rules asked for and not checked. */
export function incompletenessOf(
  report: Pick<ConformanceReport, 'rules' | 'runErrors'> & {
    run: Pick<ConformanceReport['run'], 'interrupted'>;
  },
): string[] {
  return [
    ...(report.run.interrupted ? ['the run was interrupted'] : []),
    ...(report.runErrors.length > 0 ? [`${report.runErrors.length} suite error(s) outside any test`] : []),
    ...report.rules
      .filter(isUnchecked)
      .map((rule) => `${rule.id} (${rule.level}): ${rule.reason ?? 'not checked'}`),
  ];
}

/**
 * The run's verdict. A failed MUST rule, or a declared failure that passed, is a finding whatever
 * else happened: FAIL. Otherwise a run that did not check everything it was asked to is
 * INCOMPLETE; then SHOULD failures give PASS WITH WARNINGS; declared failures PASS WITH EXPECTED
 * DEVIATIONS; else PASS.
 */
export function verdictOf(
  report: Pick<ConformanceReport, 'totals'> & { incomplete: readonly string[] },
): RunVerdict {
  if (report.totals.mustFail > 0 || report.totals.unexpectedlyPassing > 0) return 'FAIL';
  if (report.incomplete.length > 0) return 'INCOMPLETE';
  if (report.totals.shouldFail > 0) return 'PASS WITH WARNINGS';
  if (report.totals.expectedFail > 0) return 'PASS WITH EXPECTED DEVIATIONS';
  return 'PASS';
}
