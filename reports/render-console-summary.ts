import type { ConformanceReport } from './conformance-report.ts';
import { verdictHeadline } from './verdict-headline.ts';

/** Where a seed no one gave came from, e.g. ` (from GITHUB_RUN_ID)`; nothing for a given or random one. */
const seedFrom = (report: ConformanceReport): string =>
  report.run.seedSource && /^[A-Z][A-Z0-9_]*$/.test(report.run.seedSource)
    ? ` (from ${report.run.seedSource})`
    : '';

/** The short console summary after a run: verdict line, failed rules with their first failure, where the report is. */
export function renderConsoleSummary(report: ConformanceReport, htmlPath: string): string {
  const setting = (name: string): string =>
    String(report.profile.assumptions.find((a) => a.setting === name)?.value ?? '');
  const lines = [
    '',
    // One count per rule, in the reports' words: passed, failed, not checked, not applicable, not asked for.
    `kvs-conformance: ${verdictHeadline(report)}`,
    `contract ${report.spec.file} ${report.spec.version} + overlay ${report.spec.overlay} (compared against ${report.spec.comparedAgainst})`,
    `target ${report.target.url}, consistency ${setting('consistency')}, seed ${report.run.seed}${seedFrom(report)}, ${report.run.runs} runs per property, ${(report.run.durationMs / 1000).toFixed(1)} s${report.requests ? `, ${report.requests.total} requests` : ''}`,
  ];
  for (const rule of report.rules.filter((r) => r.verdict === 'fail')) {
    const failure = rule.failures[0];
    lines.push(`  ✗ ${rule.id} (${rule.level}) ${rule.rule}`);
    if (failure) {
      lines.push(`      [${failure.ruleId}] ${failure.message.split('\n')[0]?.slice(0, 400) ?? ''}`);
      if (failure.counterexample)
        lines.push(`      counterexample: ${failure.counterexample.text.slice(0, 300)}`);
      lines.push(`      replay: ${failure.replay}`);
    }
  }
  for (const rule of report.rules.filter((r) => r.verdict === 'unexpectedly-passing'))
    lines.push(`  ✗ ${rule.id} (${rule.level}) unexpectedly passing — ${rule.reason ?? ''}`);
  for (const rule of report.rules.filter((r) => r.verdict === 'expected-fail'))
    lines.push(
      `  ~ ${rule.id} (${rule.level}) expected to fail (${rule.expectation?.from ?? ''}): ${rule.expectation?.reason ?? ''}`,
    );
  for (const why of report.incomplete) lines.push(`  ⏸ ${why}`);
  lines.push(`report: ${htmlPath}`);
  return lines.join('\n');
}
