/** The reports: one model, one pure renderer per format, one writer. */
export { REPORT_FORMAT_VERSION, REPORT_SCHEMA_VERSION } from './conformance-report.ts';
export type {
  ConformanceReport,
  ReportAssumption,
  ReportConsistency,
  ReportCoverage,
  ReportExchange,
  ReportExpectation,
  ReportFailure,
  ReportRule,
  ReportTotals,
  RuleVerdictKind,
  RunVerdict,
  UnjudgedReasonKind,
} from './conformance-report.ts';
export { buildReport, replayCommand, stripCredentials } from './build-report.ts';
export type { ReportInput } from './build-report.ts';
export { isUnchecked } from './report-statistics.ts';
export { ruleCounts, verdictHeadline } from './verdict-headline.ts';
export { renderConsoleSummary } from './render-console-summary.ts';
export { renderHtmlReport } from './render-html-report.ts';
export { renderJsonReport } from './render-json-report.ts';
export { renderErrorJunit, renderJunitReport } from './render-junit-report.ts';
export type { RunErrorNotice } from './render-junit-report.ts';
export { renderMarkdownSummary } from './render-markdown-summary.ts';
export { REPORT_FILES, writeErrorReport, writeReportFiles } from './write-report-files.ts';
export type { WrittenReport } from './write-report-files.ts';
export { mergeReports, ReportMergeError } from './merge-reports.ts';
export { isReadableFormat, upgradeReport } from './upgrade-report.ts';
export { renderConsistencyComparison } from './render-consistency-comparison.ts';
export { renderConsistencyHtml } from './render-consistency-html.ts';
export { renderConsistencyMarkdown } from './render-consistency-markdown.ts';
export { CONSISTENCY_FILES, writeConsistencyFiles } from './write-consistency-files.ts';
