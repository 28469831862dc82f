import type { ConformanceReport } from './conformance-report.ts';
import { describeDrivers } from './describe-drivers.ts';
import { cleanupIssues, ruleCounts, verdictHeadline, verdictIcon } from './verdict-headline.ts';

/** The contract's own text (rule statements, setting meanings) in a table cell. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * Target-controlled text as inert Markdown for a table cell or list item: HTML is escaped as
 * entities, the characters that open links, images, emphasis, code or strike-through are
 * backslash-escaped, and line breaks become spaces (summary.md is also a GitHub step summary).
 */
const inert = (text: string): string =>
  text
    .replace(/\\/g, '\\\\')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[`*_[\]!~|]/g, (char) => `\\${char}`)
    .replace(/[\r\n]+/g, ' ');

/** Text as a code span in a table cell: no backtick inside closes it early (they become ′), no pipe ends the cell. */
const code = (text: string): string =>
  `\`${text
    .replace(/`/g, '′')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')}\``;

/** Where the run's requests went: the split, and per rule, most first (a details block). */
function requestLines(report: ConformanceReport): string[] {
  const { requests } = report;
  if (!requests) return [];
  const spent = report.rules
    .filter((rule) => (rule.requests ?? 0) > 0)
    .sort((a, b) => (b.requests ?? 0) - (a.requests ?? 0) || a.id.localeCompare(b.id));
  return [
    '### Requests',
    '',
    `${requests.total} requests to the target: ${requests.tests} by the tests, ${requests.suiteFiles} by the suite files' set-up and clean-up, ${requests.runner} by the runner (target check, last cleanup).`,
    '',
    ...(spent.length > 0
      ? [
          '<details><summary>Requests per rule (by the tests citing it; a test citing several rules counts for each)</summary>',
          '',
          '| rule | requests | tests |',
          '|---|---|---|',
          ...spent.map(
            (rule) => `| [${rule.id}](${rule.reference}) | ${rule.requests ?? 0} | ${rule.tests.length} |`,
          ),
          '',
          '</details>',
          '',
        ]
      : []),
  ];
}

/** summary.md: fits a GitHub step summary — verdict line, failed rules first, coverage table. */
export function renderMarkdownSummary(report: ConformanceReport): string {
  const lines = [
    `## ${verdictIcon(report.verdict)} kvs-conformance: ${verdictHeadline(report)}`,
    '',
    `Target ${code(report.target.url)}${report.target.embedded ? ' (embedded reference server)' : ''} · consistency \`${String(report.profile.assumptions.find((a) => a.setting === 'consistency')?.value ?? '')}\` · seed \`${report.run.seed}\` · ${report.run.runs} runs per property · ${(report.run.durationMs / 1000).toFixed(1)} s${report.run.shard ? ` · shard ${report.run.shard.index}/${report.run.shard.count}` : ''}`,
    '',
    `Drivers: ${describeDrivers(report.drivers)}`,
    '',
    `Contract ${code(report.spec.file)} version ${code(report.spec.version)} + overlay ${code(report.spec.overlay)} (compared against ${code(report.spec.comparedAgainst)})`,
    '',
  ];
  if (report.incomplete.length > 0)
    lines.push(
      report.verdict === 'INCOMPLETE' ? '### Incomplete: what was not checked' : '### Also not checked',
      '',
      ...report.incomplete.map((why) => `- ${cell(why)}`),
      '',
    );
  const failed = report.rules.filter((rule) => rule.verdict === 'fail');
  if (failed.length > 0) {
    lines.push(
      '### Failed rules',
      '',
      '| rule | level | what happened | counterexample | replay |',
      '|---|---|---|---|---|',
    );
    for (const rule of failed) {
      for (const failure of rule.failures) {
        lines.push(
          `| **[${rule.id}](${rule.reference})** ${inert(rule.rule)} | ${rule.level} | ${inert(failure.message.slice(0, 300))} | ${code((failure.counterexample?.text ?? '—').slice(0, 120))} | ${code(failure.replay)} |`,
        );
      }
    }
    lines.push(
      '',
      `Where each failed rule comes from ([rules reference](${report.rulesReference.url})):`,
      '',
      ...failed.map(
        (rule) =>
          `- [${rule.id}](${rule.reference}): ${rule.sources
            .map((source) =>
              source.url === null
                ? `inference${source.setting ? ` (profile setting \`${source.setting}\`)` : ''}`
                : `[${cell(source.title)}](${source.url}) (${cell(source.locator ?? '')})`,
            )
            .join('; ')}`,
      ),
      '',
    );
  }
  const declared = report.rules.filter(
    (rule) => rule.verdict === 'expected-fail' || rule.verdict === 'unexpectedly-passing',
  );
  if (declared.length > 0)
    lines.push(
      '### Declared deviations',
      '',
      '| rule | verdict | reason | declared in |',
      '|---|---|---|---|',
      ...declared.map(
        (rule) =>
          `| [${rule.id}](${rule.reference}) | ${rule.verdict === 'unexpectedly-passing' ? '**unexpectedly passing** (remove the declaration)' : 'expected-fail'} | ${inert(rule.expectation?.reason ?? '')} | ${code(rule.expectation?.from ?? '')} |`,
      ),
      '',
    );
  if (report.runErrors.length > 0)
    lines.push(
      '### Run errors',
      '',
      ...report.runErrors.map((error) => `- ${inert(error.slice(0, 500))}`),
      '',
    );
  if (report.cleanup && cleanupIssues(report))
    lines.push(
      `### Cleanup: ${report.cleanup.left.length} store(s) of this run left on the target`,
      '',
      ...report.cleanup.problems.map((problem) => `- ${inert(problem)}`),
      ...report.cleanup.left.map((store) => `- ${code(store.id)}: ${inert(store.reason)}`),
      '',
    );
  lines.push(
    '### Rules',
    '',
    `| verdict | count |`,
    `|---|---|`,
    // Each rule counted once, in the words of the verdict line.
    ...ruleCounts(report).map(
      ([label, count], index) => `| ${index === 0 ? 'passed' : cell(label)} | ${count} |`,
    ),
    '',
  );
  const skipped = report.rules.filter(
    (rule) => rule.verdict === 'skipped' || rule.verdict === 'inconclusive',
  );
  const byReason = new Map<string, string[]>();
  for (const rule of skipped) {
    // An inconclusive rule's reason says "not checked" or "partially checked" itself.
    const reason =
      rule.verdict === 'inconclusive' ? (rule.reason ?? '') : `not asked for: ${rule.reason ?? ''}`;
    byReason.set(reason, [...(byReason.get(reason) ?? []), rule.id]);
  }
  if (byReason.size > 0)
    lines.push(...[...byReason].map(([reason, ids]) => `- ${ids.length} ${reason} — ${ids.join(', ')}`), '');
  lines.push(
    '### Spec coverage (statuses observed / documented)',
    '',
    '| operation | observed | documented, not observed |',
    '|---|---|---|',
  );
  for (const operation of report.coverage) {
    const missing = operation.documented.filter((status) => !operation.observed.includes(status));
    const extra = operation.observed.filter((status) => !operation.documented.includes(status));
    lines.push(
      `| \`${operation.method} ${operation.path}\` | ${operation.observed.join(', ') || '—'}${extra.length ? ` (undocumented: ${extra.join(', ')})` : ''} | ${missing.join(', ') || '—'} |`,
    );
  }
  const c = report.consistency;
  // The observations count reads that waited for a write to show; the KVS-CONS rules judge more
  // (monotonic reads, lost updates, reverts), so their failures are named beside the count.
  const consFailed = consistencyRulesFailed(report);
  lines.push(
    '',
    '### Consistency',
    '',
    `${c.observations} observations of a write showing: ${c.fresh} fresh, ${c.toleratedStale} stale but within the window (${c.staleReads} stale reads; p50 ${c.p50StaleMs} ms, p90 ${c.p90StaleMs} ms, max ${c.maxStaleMs} ms), ${c.violations} past the window. Consistency rules failed: ${consFailed.length === 0 ? 'none' : consFailed.join(', ')}.`,
    ...(c.revertWatches
      ? [
          '',
          `${c.revertWatches.watches} watches for a revert after a change showed (${c.revertWatches.reads} reads, up to ${c.revertWatches.longestHeldMs} ms each): ${c.revertWatches.reverted} saw the old state again.`,
        ]
      : []),
    '',
    ...requestLines(report),
    '<details><summary>Assumptions (profile settings)</summary>',
    '',
    '| setting | value | meaning |',
    '|---|---|---|',
    ...report.profile.assumptions.map(
      (a) => `| ${a.setting} | \`${String(a.value)}\` | ${cell(a.meaning)} |`,
    ),
    '',
    '</details>',
    '',
  );
  return lines.join('\n');
}

/** The KVS-CONS rules the run failed (a failure a declaration expected included), by id. */
export function consistencyRulesFailed(report: ConformanceReport): string[] {
  return report.rules
    .filter((rule) => rule.area === 'CONS' && (rule.verdict === 'fail' || rule.verdict === 'expected-fail'))
    .map((rule) => rule.id);
}
