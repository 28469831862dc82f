import { REPORT_FORMAT_VERSION, type ConformanceReport, type ReportRule } from './conformance-report.ts';
import { totalsOf } from './report-statistics.ts';

/** A report of format 2: rules not checked could say `skipped`, and totals had `unchecked`. */
type ReportFormat2 = Omit<ConformanceReport, 'format' | 'totals'> & {
  readonly format: 2;
  readonly totals: Record<string, number>;
};

/** Whether a parsed report.json is of a format this version reads (the current one, or 2). */
export const isReadableFormat = (format: unknown): format is 2 | typeof REPORT_FORMAT_VERSION =>
  format === 2 || format === REPORT_FORMAT_VERSION;

/**
 * A report of format 2 in the current format, as a run of this version would have written it: a
 * rule asked for and not checked (reason `not-run` or `blocked`) is `inconclusive`, never
 * `skipped`, and the totals are counted again so that each rule is in one of them. Its run
 * verdict and incomplete list are kept as written.
 */
export function upgradeReport(report: ConformanceReport | ReportFormat2): ConformanceReport {
  if (report.format === REPORT_FORMAT_VERSION) return report;
  const rules = report.rules.map((rule): ReportRule =>
    rule.verdict === 'skipped' && (rule.reasonKind === 'not-run' || rule.reasonKind === 'blocked')
      ? { ...rule, verdict: 'inconclusive' }
      : rule,
  );
  return { ...report, format: REPORT_FORMAT_VERSION, rules, totals: totalsOf(rules) };
}
