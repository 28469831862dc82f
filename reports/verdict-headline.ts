import type { ConformanceReport, RunVerdict } from './conformance-report.ts';

/**
 * The one-line verdict every format opens with: the verdict word and the counts behind it, each
 * rule counted once (ruleCounts), and the stores of the run left on the target, if any.
 */
export function verdictHeadline(report: ConformanceReport): string {
  const { totals } = report;
  const [, ...rest] = ruleCounts(report);
  const counts = rest.map(([label, count]) => `, ${count} ${label}`).join('');
  // A run must leave nothing of its own on the target: a store left is said in the verdict line.
  const leftCount = report.cleanup?.left.length ?? 0;
  const left = leftCount > 0 ? `; ${leftCount} store(s) of this run left on the target` : '';
  return `${report.verdict} — ${totals.pass} of ${totals.rules} rules passed${counts}${left}`;
}

/** The profile settings a rule's `not applicable under … (it needs setting ∈ {…})` reason names. */
const GATING_SETTING = /(\w+) ∈ \{/g;

/**
 * The rule counts of a report in the words of every format, each rule in exactly one (they add up
 * to totals.rules): passed, failed, not checked, expected to fail, unexpectedly passing, then the
 * rules not asked for by why — `not applicable under <setting value>` for rules the profile gates
 * off, `not applicable to this run` (no client driver, --run-id), `not asked for (--suite/--rule)`,
 * `left to other shards`. A count of zero is left out, except passed and failed.
 */
export function ruleCounts(report: ConformanceReport): [label: string, count: number][] {
  const { totals } = report;
  const value = (setting: string): string =>
    `${setting} ${String(report.profile.assumptions.find((a) => a.setting === setting)?.value ?? '')}`;
  const skipped = report.rules.filter((rule) => rule.verdict === 'skipped');
  const gated = skipped.filter((rule) => rule.reasonKind === 'profile' && / ∈ \{/.test(rule.reason ?? ''));
  const settings = [
    ...new Set(
      gated.flatMap((rule) => [...(rule.reason ?? '').matchAll(GATING_SETTING)].map((m) => m[1] ?? '')),
    ),
  ];
  const counts: [string, number][] = [
    [`of ${totals.rules} rules passed`, totals.pass],
    [`failed (${totals.mustFail} MUST)`, totals.fail],
    ['not checked', totals.inconclusive],
    ['expected to fail', totals.expectedFail],
    ['unexpectedly passing', totals.unexpectedlyPassing],
    [`not applicable under ${settings.map(value).join(' / ')}`, gated.length],
    [
      'not applicable to this run',
      skipped.filter((rule) => rule.reasonKind === 'profile').length - gated.length,
    ],
    ['not asked for (--suite/--rule)', skipped.filter((rule) => rule.reasonKind === 'filter').length],
    ['left to other shards', skipped.filter((rule) => rule.reasonKind === 'shard').length],
  ];
  return counts.filter(([, count], index) => index < 2 || count > 0);
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
