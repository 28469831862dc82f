import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConformanceReport } from './conformance-report.ts';
import { renderHtmlReport } from './render-html-report.ts';
import { renderJsonReport } from './render-json-report.ts';
import { renderErrorJunit, renderJunitReport, type RunErrorNotice } from './render-junit-report.ts';
import { renderMarkdownSummary } from './render-markdown-summary.ts';

/** Where the four report files were written. */
export interface WrittenReport {
  readonly json: string;
  readonly junit: string;
  readonly markdown: string;
  readonly html: string;
}

/** The report file names inside the output folder. */
export const REPORT_FILES = {
  json: 'report.json',
  junit: 'junit.xml',
  markdown: 'summary.md',
  html: 'report.html',
} as const;

/**
 * The only I/O of the reports: writes report.json, junit.xml, summary.md and report.html into
 * `outDir`, and appends the Markdown to $GITHUB_STEP_SUMMARY when that is set.
 */
export function writeReportFiles(
  report: ConformanceReport,
  outDir: string,
  env: NodeJS.ProcessEnv = process.env,
): WrittenReport {
  mkdirSync(outDir, { recursive: true });
  const written = {
    json: join(outDir, REPORT_FILES.json),
    junit: join(outDir, REPORT_FILES.junit),
    markdown: join(outDir, REPORT_FILES.markdown),
    html: join(outDir, REPORT_FILES.html),
  };
  const markdown = renderMarkdownSummary(report);
  writeFileSync(written.json, renderJsonReport(report));
  writeFileSync(written.junit, renderJunitReport(report));
  writeFileSync(written.markdown, markdown);
  writeFileSync(written.html, renderHtmlReport(report));
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
  return written;
}

/**
 * The output folder of a run that ended on a tool error (exit 2) before it had a report: junit.xml
 * with one errored testcase naming the error (a CI step that reads it shows why), and no
 * report.json, summary.md or report.html — those a previous run left in the folder are removed, so
 * that none of them is read as this run's (a run that went on writes all four over them anyway).
 * Appends the error to $GITHUB_STEP_SUMMARY when that is set.
 */
export function writeErrorReport(
  notice: RunErrorNotice,
  outDir: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  for (const name of [REPORT_FILES.json, REPORT_FILES.markdown, REPORT_FILES.html])
    rmSync(join(outDir, name), { force: true });
  const junit = join(outDir, REPORT_FILES.junit);
  writeFileSync(junit, renderErrorJunit(notice));
  if (env.GITHUB_STEP_SUMMARY)
    appendFileSync(
      env.GITHUB_STEP_SUMMARY,
      `**kvs-conformance: INCOMPLETE** — the run could not start or end: \`${notice.message.split('\n')[0] ?? ''}\`\n`,
    );
  return junit;
}
