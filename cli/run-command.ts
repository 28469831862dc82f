import { join } from 'node:path';
import type { Command } from 'commander';
import type * as ReportsModule from '../reports/index.ts';
import type { ConformanceReport } from '../reports/index.ts';
import type { RunSession } from '../runner/run-session.ts';
import { cliRunSources, cliSessionSetup, reportInterruptedBeforeStart, shownPath } from './cli-session.ts';
import { EXIT_CODES, exitCodeFor } from './exit-codes.ts';
import { addRunFlags, runOptionsFromFlags } from './run-flags.ts';
import { watchRuns } from './watch-runs.ts';

/** One run's outcome: its report and the exit code it earns. */
interface RunOutcome {
  readonly report: ConformanceReport;
  readonly exitCode: number;
}

/** Runs the suites once against the target (the report files written), prints the summary, cleanup and errors. */
async function runAndReport(session: RunSession, reports: typeof ReportsModule): Promise<RunOutcome> {
  const { options, redact } = session;
  // Without --watch this is the process's only run.
  const { result, report } = await session.run({ onlyRun: !options.watch });
  // Watch mode prints its own lines (changed verdicts and a summary).
  if (!options.watch)
    console.log(
      reports.renderConsoleSummary(report, shownPath(join(session.out, reports.REPORT_FILES.html))),
    );
  const { cleanup } = result;
  // A journal of a run that made no store (it stopped before) goes without a word.
  for (const earlier of (result.earlierRuns ?? []).filter(
    (each) => each.created > 0 || each.leftAlone !== undefined,
  )) {
    console.log(
      earlier.leftAlone === undefined
        ? `cleanup of an earlier run killed before its own (${earlier.file}): ${earlier.deleted} of its ${earlier.created} store(s) gone, ${earlier.left.length} left`
        : `earlier run's journal ${earlier.file} left as it is: ${redact(earlier.leftAlone)}`,
    );
    for (const left of earlier.left) console.log(`  left ${redact(left.id)}: ${redact(left.reason)}`);
  }
  if (!options.watch || cleanup.left.length > 0 || cleanup.problems.length > 0)
    console.log(
      `cleanup: ${cleanup.created} store(s) created by this run, ${cleanup.deleted} deleted, ${cleanup.left.length} left (prefix ${result.storePrefix})` +
        (cleanup.left.length > 0 ? `; ${cleanup.left.length} store(s) of this run left on the target:` : ''),
    );
  for (const left of cleanup.left) console.log(`  left ${redact(left.id)}: ${redact(left.reason)}`);
  for (const problem of cleanup.problems) console.log(`  cleanup problem: ${redact(problem)}`);
  // Under --run-id: the run's default store stays; only the records this run wrote there go.
  const records = result.runStore?.cleanup;
  if (result.runStore && records) {
    console.log(
      `run store: the default store ${redact(result.runStore.storeId)} of run ${redact(result.runStore.runId)} is kept; ${records.deleted} record(s) this run wrote deleted, ${records.left.length} left (key prefix ${result.runStore.keyPrefix})`,
    );
    for (const left of records.left) console.log(`  left record ${redact(left.key)}: ${redact(left.reason)}`);
    for (const problem of records.problems) console.log(`  cleanup problem: ${redact(problem)}`);
  }
  if (result.interrupted)
    console.error('kvs-conformance: interrupted; the stores this run created were deleted.');
  if (result.runErrors.length > 0)
    console.error(
      `kvs-conformance: the suites could not all run:\n${result.runErrors.map((e) => `  ${redact(e)}`).join('\n')}`,
    );
  return { report, exitCode: exitCodeFor(report.verdict, options.strict) };
}

/** `kvs-conformance run`: the suites against a target, then the four report files; exit code through `setExitCode`. */
export function addRunCommand(program: Command, setExitCode: (code: number) => void): void {
  addRunFlags(
    program
      .command('run')
      .description('run the conformance suites against a target (default: the embedded reference server)'),
  ).action(async (flags: Record<string, unknown>) => {
    const sources = await cliRunSources(runOptionsFromFlags(flags), flags.config as string | undefined);
    // The heavy parts (contract compiler, vitest, server, reports, testcontainers) load only when a run starts.
    const [{ runSession }, reports] = await Promise.all([
      import('../runner/run-session.ts'),
      import('../reports/index.ts'),
    ]);
    const exitCode = await runSession(cliSessionSetup(sources), async (session) => {
      const runOnce = (): Promise<RunOutcome> => runAndReport(session, reports);
      if (!session.options.watch) return (await runOnce()).exitCode;
      let code: number = EXIT_CODES.ok;
      await watchRuns({
        runOnce: async () => {
          // Until the run ends: a run that could not run (target down) leaves exit 2.
          code = EXIT_CODES.toolError;
          const outcome = await runOnce();
          code = outcome.exitCode;
          return outcome.report.run.interrupted ? undefined : outcome.report;
        },
        paths: session.options.watch.paths,
        ignored: session.options.out,
        input: process.stdin,
        stop: session.signal,
        print: (line) => console.log(line),
        reportPath: shownPath(join(session.out, reports.REPORT_FILES.html)),
      });
      return code;
    });
    if (exitCode === undefined) reportInterruptedBeforeStart(setExitCode);
    else setExitCode(exitCode);
  });
}
