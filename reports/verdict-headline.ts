import type { ConformanceReport, RunVerdict } from './conformance-report.ts';

/**
 * The one-line verdict every format opens with: the verdict word and the counts behind it (then
 * `counts`, more counts a format adds), and the stores of the run left on the target, if any.
 */
export function verdictHeadline(report: ConformanceReport, counts = ''): string {
  const { totals } = report;
  const unchecked = totals.unchecked > 0 ? `, ${totals.unchecked} not checked` : '';
  const expected = totals.expectedFail ? `, ${totals.expectedFail} expected to fail` : '';
  const unexpected = totals.unexpectedlyPassing ? `, ${totals.unexpectedlyPassing} unexpectedly passing` : '';
  // A run must leave nothing of its own on the target: a store left is said in the verdict line.
  const leftCount = report.cleanup?.left.length ?? 0;
  const left = leftCount > 0 ? `; ${leftCount} store(s) of this run left on the target` : '';
  return `${report.verdict} — ${totals.pass} of ${totals.rules} rules passed, ${totals.fail} failed (${totals.mustFail} MUST)${unchecked}${expected}${unexpected}${counts}${left}`;
}

/** Whether cleanup left a store of the run on the target or met a problem (the reports then say so). */
export function cleanupIssues(report: ConformanceReport): boolean {
  return (report.cleanup?.left.length ?? 0) > 0 || (report.cleanup?.problems.length ?? 0) > 0;
}

/** A CSS class / slug for a run verdict. */
export function verdictSlug(verdict: RunVerdict): 'pass' | 'warn' | 'fail' | 'incomplete' {
  switch (verdict) {
    case 'PASS':
    case 'PASS WITH EXPECTED DEVIATIONS':
      return 'pass';
    case 'PASS WITH WARNINGS':
      return 'warn';
    case 'FAIL':
      return 'fail';
    case 'INCOMPLETE':
      return 'incomplete';
  }
}

/** An icon for a run verdict (Markdown). */
export function verdictIcon(verdict: RunVerdict): string {
  return { pass: '✅', warn: '⚠️', fail: '❌', incomplete: '⏸️' }[verdictSlug(verdict)];
}
