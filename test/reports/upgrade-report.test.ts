// Reports of format 2 (before the rule counts partitioned the rules) are still read by `report
// --merge` and `replay`: upgraded so that each rule is in exactly one count.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReportFile } from '../../cli/read-report-file.ts';
import { upgradeReport, type ConformanceReport } from '../../reports/index.ts';
import { fixtureReport } from './report-fixture.ts';

const { report } = await fixtureReport();

/** The fixture as format 2 wrote it: rules not run said `skipped`, totals had `unchecked` besides. */
function asFormat2(current: ConformanceReport): Record<string, unknown> {
  const rules = current.rules.map((rule) =>
    rule.reasonKind === 'not-run' ? { ...rule, verdict: 'skipped' } : rule,
  );
  const { totals } = current;
  return {
    ...current,
    format: 2,
    schemaVersion: '2.4.0',
    rules,
    totals: {
      ...totals,
      unchecked: totals.inconclusive,
      skipped: totals.skipped + totals.inconclusive,
      inconclusive: 0,
    },
  };
}

describe('reading a report of format 2', () => {
  it('upgrades it: not-run rules are inconclusive and the totals partition the rules', () => {
    const old = asFormat2(report);
    const upgraded = upgradeReport(old as unknown as ConformanceReport);
    expect(upgraded.format).toBe(3);
    expect(upgraded.totals).toEqual(report.totals);
    expect(upgraded.rules.map((rule) => rule.verdict)).toEqual(report.rules.map((rule) => rule.verdict));
  });

  it('readReportFile reads format 2 and 3, and refuses another format with a clear error', () => {
    const folder = mkdtempSync(join(tmpdir(), 'kvsc-upgrade-'));
    const file = (name: string, content: unknown): string => {
      writeFileSync(join(folder, name), JSON.stringify(content));
      return join(folder, name);
    };
    expect(readReportFile(file('two.json', asFormat2(report))).totals).toEqual(report.totals);
    expect(readReportFile(file('three.json', report)).totals).toEqual(report.totals);
    expect(() => readReportFile(file('one.json', { ...report, format: 1 }))).toThrow(
      /is not a kvs-conformance report of format 3 or 2 \(format 1\)/,
    );
  });
});
