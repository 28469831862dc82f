import type { ConformanceReport, RunVerdict } from './conformance-report.ts';

/** The one-line verdict every format opens with: the verdict word and the counts behind it. */
export function verdictHeadline(report: ConformanceReport): string {
  const { totals } = report;
  const unchecked = totals.unchecked > 0 ? `, ${totals.unchecked} not checked` : '';
  return `${report.verdict} — ${totals.pass} of ${totals.rules} rules passed, ${totals.fail} failed (${totals.mustFail} MUST)${unchecked}`;
}

/**
 * Rules not asked for (ruled out by the profile, a --suite/--rule filter, another shard): the rest
 * of the rules once passed, failed and not checked are counted, so that no rule counts twice.
 */
export function notAskedCount(report: ConformanceReport): number {
  const { totals } = report;
  return totals.rules - totals.pass - totals.fail - totals.unchecked;
}

/** A CSS class / slug for a run verdict. */
export function verdictSlug(verdict: RunVerdict): 'pass' | 'warn' | 'fail' | 'incomplete' {
  switch (verdict) {
    case 'PASS':
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
