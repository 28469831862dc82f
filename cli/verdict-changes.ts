import type { ConformanceReport } from '../reports/index.ts';

/** The verdict of every rule of a report, by rule id. */
export type VerdictsById = ReadonlyMap<string, string>;

/** The verdicts of a report, to compare the next run with. */
export function verdictsOf(report: ConformanceReport): VerdictsById {
  return new Map(report.rules.map((rule) => [rule.id, rule.verdict]));
}

/**
 * One line per rule whose verdict differs from the previous run's. On the first run (no previous
 * verdicts) only failed and inconclusive rules are listed: passes and skips are no news.
 */
export function verdictChanges(previous: VerdictsById | undefined, report: ConformanceReport): string[] {
  return report.rules.flatMap((rule) => {
    const before = previous?.get(rule.id);
    const news = previous !== undefined || rule.verdict === 'fail' || rule.verdict === 'inconclusive';
    if (before === rule.verdict || !news) return [];
    const change = before === undefined ? rule.verdict : `${before} → ${rule.verdict}`;
    const mark = rule.verdict === 'pass' ? '✓' : rule.verdict === 'fail' ? '✗' : '·';
    const failure = rule.failures[0]?.message.split('\n')[0]?.slice(0, 200);
    return [`  ${mark} ${rule.id} (${rule.level}) ${change}: ${failure ?? rule.reason ?? rule.rule}`];
  });
}
