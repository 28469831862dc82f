import type { ConformanceReport, ReportRule, RuleVerdictKind } from './conformance-report.ts';
import { replayCommand } from './build-report.ts';
import { consistencySection, incompletenessOf, totalsOf, verdictOf } from './report-statistics.ts';

/** Reports that cannot be merged (different specs, seeds or profiles). */
export class ReportMergeError extends Error {
  override readonly name = 'ReportMergeError';
}

// A rule one shard did not fully check is not a pass because another shard's tests passed.
const VERDICT_ORDER: readonly RuleVerdictKind[] = [
  'fail',
  'unexpectedly-passing',
  'expected-fail',
  'inconclusive',
  'pass',
  'skipped',
];

function mergeRule(parts: readonly ReportRule[], reportPath: string, givenSpec?: string): ReportRule {
  const first = parts[0] as ReportRule;
  const found = VERDICT_ORDER.find((kind) => parts.some((part) => part.verdict === kind)) ?? 'skipped';
  const tests = new Map(
    parts.flatMap((part) => part.tests).map((test) => [`${test.file}\u0000${test.title}`, test]),
  );
  // A rule every shard left to another one was checked by none: asked for and not checked.
  const unjudged = parts.find((part) => part.verdict === found && part.reasonKind !== 'shard');
  const verdict = found === 'skipped' && unjudged === undefined ? 'inconclusive' : found;
  const judged = verdict !== 'inconclusive' && verdict !== 'skipped';
  const { requests: _shardRequests, ...rest } = first;
  return {
    ...rest,
    ...(parts.some((part) => part.requests !== undefined)
      ? { requests: [...tests.values()].reduce((sum, test) => sum + (test.requests ?? 0), 0) }
      : {}),
    verdict,
    reason: judged ? null : (unjudged?.reason ?? 'not checked: no test citing it ran in any shard'),
    reasonKind: judged ? null : (unjudged?.reasonKind ?? 'not-run'),
    tests: [...tests.values()],
    // The replay commands point at the merged report, not at the shard's it was merged from.
    failures: parts
      .flatMap((part) => part.failures)
      .map((failure) => ({
        ...failure,
        replay: replayCommand(reportPath, first.id, failure.replay.includes('--token'), givenSpec),
      })),
  };
}

/**
 * Merges the reports of a sharded run (`--shard i/n`, same seed and profile) into one, as if the
 * run had not been sharded: rules judged over all shards, coverage and observations combined.
 * `reportPath` is where the merged report.json is written, for its replay commands.
 */
export function mergeReports(reports: readonly ConformanceReport[], reportPath: string): ConformanceReport {
  const [first] = reports;
  if (!first) throw new ReportMergeError('nothing to merge: no report was given');
  const settings = (report: ConformanceReport): string =>
    JSON.stringify(report.profile.assumptions.map((a) => [a.setting, a.value]));
  for (const report of reports) {
    if (report.spec.version !== first.spec.version)
      throw new ReportMergeError(`spec versions differ: ${first.spec.version} and ${report.spec.version}`);
    if (report.run.seed !== first.run.seed)
      throw new ReportMergeError(
        `seeds differ: ${first.run.seed} and ${report.run.seed}; shards of one run share a seed`,
      );
    if (settings(report) !== settings(first))
      throw new ReportMergeError('profile settings differ between the reports; shards of one run share them');
  }
  const rules = first.rules.map((rule) =>
    mergeRule(
      reports.map((report) => report.rules.find((r) => r.id === rule.id) ?? rule),
      reportPath,
      first.spec.given,
    ),
  );
  const coverage = first.coverage.map((operation) => ({
    ...operation,
    observed: [
      ...new Set(
        reports.flatMap(
          (report) => report.coverage.find((c) => c.operationId === operation.operationId)?.observed ?? [],
        ),
      ),
    ].sort((a, b) => a - b),
  }));
  const sum = (pick: (report: ConformanceReport) => number): number =>
    reports.reduce((total, report) => total + pick(report), 0);
  const startedAt = Math.min(...reports.map((report) => Date.parse(report.run.startedAt)));
  const finishedAt = Math.max(...reports.map((report) => Date.parse(report.run.finishedAt)));
  const totals = totalsOf(rules);
  const runErrors = reports.flatMap((report) => report.runErrors);
  const interrupted = reports.some((report) => report.run.interrupted);
  const incomplete = incompletenessOf({ rules, runErrors, run: { interrupted } });
  const { requests: _firstRequests, ...common } = first;
  return {
    ...common,
    run: {
      ...first.run,
      shard: null,
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
      durationMs: finishedAt - startedAt,
      interrupted,
    },
    verdict: verdictOf({ totals, incomplete }),
    incomplete,
    totals,
    rules,
    coverage,
    consistency: consistencySection(
      {
        observations: sum((r) => r.consistency.observations),
        fresh: sum((r) => r.consistency.fresh),
        violations: sum((r) => r.consistency.violations),
        staleReads: sum((r) => r.consistency.staleReads),
      },
      reports.flatMap((report) => report.consistency.staleDurationsMs),
      {
        watches: sum((r) => r.consistency.revertWatches?.watches ?? 0),
        reverted: sum((r) => r.consistency.revertWatches?.reverted ?? 0),
        reads: sum((r) => r.consistency.revertWatches?.reads ?? 0),
        longestHeldMs: Math.max(0, ...reports.map((r) => r.consistency.revertWatches?.longestHeldMs ?? 0)),
      },
    ),
    runErrors,
    ...mergedCleanup(reports),
    ...mergedRequests(reports),
  };
}

/** The shards' requests together, when every shard counted them. */
function mergedRequests(reports: readonly ConformanceReport[]): Pick<ConformanceReport, 'requests'> {
  const counted = reports.flatMap((report) => (report.requests ? [report.requests] : []));
  if (counted.length === 0 || counted.length < reports.length) return {};
  const sum = (pick: (requests: NonNullable<ConformanceReport['requests']>) => number): number =>
    counted.reduce((total, requests) => total + pick(requests), 0);
  return {
    requests: {
      total: sum((r) => r.total),
      tests: sum((r) => r.tests),
      suiteFiles: sum((r) => r.suiteFiles),
      runner: sum((r) => r.runner),
    },
  };
}

/** The shards' cleanups together (each shard deletes its own stores). */
function mergedCleanup(reports: readonly ConformanceReport[]): Pick<ConformanceReport, 'cleanup'> {
  const cleanups = reports.flatMap((report) => (report.cleanup ? [report.cleanup] : []));
  if (cleanups.length === 0) return {};
  return {
    cleanup: {
      created: cleanups.reduce((total, cleanup) => total + (cleanup.created ?? 0), 0),
      deleted: cleanups.reduce((total, cleanup) => total + cleanup.deleted, 0),
      left: cleanups.flatMap((cleanup) => cleanup.left),
      problems: cleanups.flatMap((cleanup) => cleanup.problems),
    },
  };
}
