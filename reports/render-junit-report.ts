import { isUnchecked } from './report-statistics.ts';
import { cleanupIssues } from './verdict-headline.ts';
import type { ConformanceReport, ReportFailure, ReportRule } from './conformance-report.ts';

/** Whether a code point may appear in an XML 1.0 document. */
function isXmlCharacter(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    code >= 0x10000
  );
}

/** Escapes text for XML content and attributes, dropping characters XML 1.0 cannot hold. */
export function escapeXml(text: string): string {
  return [...text]
    .filter((char) => isXmlCharacter(char.codePointAt(0) ?? 0))
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function failureText(rule: ReportRule, failure: ReportFailure): string {
  return [
    failure.message,
    failure.counterexample ? `counterexample: ${failure.counterexample.text}` : '',
    failure.seed === null ? '' : `seed ${failure.seed}, path "${failure.path ?? ''}"`,
    ...failure.exchanges.map(
      (exchange) =>
        `${exchange.curl}\n  → ${exchange.status ?? exchange.error ?? ''} ${exchange.responseExcerpt.slice(0, 500)}`,
    ),
    `replay: ${failure.replay}`,
    `rule ${rule.id}: ${rule.reference}`,
    ...rule.sources.map((source) =>
      source.url === null
        ? `  inference${source.setting ? ` (profile setting ${source.setting})` : ''}: ${source.quote}`
        : `  source: ${source.title}, ${source.locator ?? ''} <${source.url}>`,
    ),
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/** junit.xml: one testcase per rule (classname = area); failures carry counterexample and curl lines. */
export function renderJunitReport(report: ConformanceReport): string {
  const seconds = (ms: number): string => (ms / 1000).toFixed(3);
  const failures = report.rules.filter(
    (rule) => rule.verdict === 'fail' || rule.verdict === 'unexpectedly-passing',
  ).length;
  // A rule the run was asked to check and did not is an error, not a skip: CI must not read it as fine.
  const unchecked = report.rules.filter(isUnchecked).length;
  const errors = report.runErrors.length + unchecked;
  const skipped = report.rules.filter(
    (rule) => rule.verdict === 'skipped' || rule.verdict === 'expected-fail',
  ).length;
  const cases = report.rules.map((rule) => {
    const time = rule.tests.reduce((sum, test) => sum + test.durationMs, 0);
    const open = `    <testcase classname="kvs-conformance.${escapeXml(rule.area)}" name="${escapeXml(`${rule.id} (${rule.level}) ${rule.rule}`)}" time="${seconds(time)}"`;
    if (rule.verdict === 'pass') return `${open}/>`;
    // A declared known failure is not a CI failure; a declared one that passed is (remove the declaration).
    if (rule.verdict === 'expected-fail')
      return `${open}>\n      <skipped message="${escapeXml(`expected-fail: ${rule.reason ?? ''}`)}"/>\n    </testcase>`;
    if (rule.verdict === 'unexpectedly-passing')
      return `${open}>\n      <failure type="unexpectedly-passing" message="${escapeXml(rule.reason ?? '')}"/>\n    </testcase>`;
    if (rule.verdict === 'fail') {
      const body = rule.failures
        .map(
          (failure) =>
            `      <failure type="${escapeXml(failure.ruleId)}" message="${escapeXml(failure.message.split('\n')[0] ?? '')}">${escapeXml(failureText(rule, failure))}</failure>`,
        )
        .join('\n');
      return `${open}>\n${body}\n    </testcase>`;
    }
    if (isUnchecked(rule))
      return `${open}>\n      <error type="not-checked" message="${escapeXml(rule.reason ?? 'not checked')}"/>\n    </testcase>`;
    return `${open}>\n      <skipped message="${escapeXml(`not asked for: ${rule.reason ?? ''}`)}"/>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kvs-conformance" tests="${report.rules.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(report.run.durationMs)}">`,
    `  <testsuite name="${escapeXml(`kvs-conformance ${report.target.url}`)}" tests="${report.rules.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(report.run.durationMs)}" timestamp="${report.run.startedAt}">`,
    `    <properties>`,
    `      <property name="verdict" value="${report.verdict}"/>`,
    `      <property name="seed" value="${report.run.seed}"/>`,
    `      <property name="runs" value="${report.run.runs}"/>`,
    `      <property name="spec.version" value="${escapeXml(report.spec.version)}"/>`,
    `      <property name="spec.overlay" value="${escapeXml(report.spec.overlay)}"/>`,
    `      <property name="spec.comparedAgainst" value="${escapeXml(report.spec.comparedAgainst)}"/>`,
    ...report.profile.assumptions.map(
      (a) => `      <property name="profile.${escapeXml(a.setting)}" value="${escapeXml(String(a.value))}"/>`,
    ),
    ...(report.requests
      ? Object.entries(report.requests).map(
          ([name, count]) => `      <property name="requests.${name}" value="${count}"/>`,
        )
      : []),
    `    </properties>`,
    ...cases,
    ...report.runErrors.map(
      (error, i) =>
        `    <testcase classname="kvs-conformance.run" name="run error ${i + 1}"><error message="${escapeXml(error.split('\n')[0] ?? '')}">${escapeXml(error)}</error></testcase>`,
    ),
    ...(report.cleanup && cleanupIssues(report)
      ? [
          `    <system-err>${escapeXml(
            [
              `cleanup: ${report.cleanup.left.length} store(s) of this run left on the target`,
              ...report.cleanup.problems,
              ...report.cleanup.left.map((store) => `${store.id}: ${store.reason}`),
            ].join('\n'),
          )}</system-err>`,
        ]
      : []),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** A run that could not start or end (a tool error, exit 2): what the junit.xml of its folder says. */
export interface RunErrorNotice {
  /** The error's stable code (`KVSC_TARGET_UNREACHABLE`, …), or `unexpected-error`. */
  readonly code: string;
  /** The whole message, already redacted. */
  readonly message: string;
  readonly startedAt: Date;
}

/**
 * junit.xml of a run that ended on a tool error before it had verdicts: one testcase with an
 * `error` naming the code and message, so a CI step that reads the junit shows why nothing was judged.
 */
export function renderErrorJunit(notice: RunErrorNotice): string {
  const message = escapeXml(notice.message.split('\n')[0] ?? '');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<testsuites name="kvs-conformance" tests="1" failures="0" errors="1" skipped="0" time="0.000">',
    `  <testsuite name="kvs-conformance" tests="1" failures="0" errors="1" skipped="0" time="0.000" timestamp="${notice.startedAt.toISOString()}">`,
    `    <properties>`,
    `      <property name="verdict" value="INCOMPLETE"/>`,
    `    </properties>`,
    `    <testcase classname="kvs-conformance.run" name="the run could not start or end: nothing was judged"><error type="${escapeXml(notice.code)}" message="${message}">${escapeXml(notice.message)}</error></testcase>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
