import type { Command } from 'commander';
import { runOptionsFromEnv } from '../harness/config/resolve-run-options.ts';
import type { RunResult } from '../harness/results/run-result.ts';
import type { RuleId } from '../harness/contract/rule-catalog.ts';
import type { ReportFailure } from '../reports/index.ts';
import { cliSessionSetup, reportInterruptedBeforeStart } from './cli-session.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { collect } from './parse-flag.ts';

/** What replaying one recorded failure found. */
export type ReplayVerdict = 'FIXED' | 'STILL FAILING' | 'FAILING ON ANOTHER RULE' | 'NOT RUN';

/**
 * Judges one replayed failure: FIXED only when the recorded test ran and passed; STILL FAILING
 * when it failed on the recorded rule; FAILING ON ANOTHER RULE when it failed on a different one;
 * NOT RUN (with why) when it was skipped, no longer exists, or the run did not get to it.
 */
export function judgeReplay(
  result: RunResult,
  failure: Pick<ReportFailure, 'test' | 'ruleId'>,
): { verdict: ReplayVerdict; detail: string | undefined } {
  const outcome = result.outcomes.find((candidate) => candidate.title === failure.test);
  if (!outcome) {
    const why = result.interrupted
      ? 'the run was interrupted'
      : result.runErrors.length > 0
        ? `the suites could not run: ${result.runErrors[0] ?? ''}`
        : 'no test has this title any more';
    return { verdict: 'NOT RUN', detail: why };
  }
  if (outcome.state === 'skipped')
    return {
      verdict: 'NOT RUN',
      detail: `the test was skipped${outcome.skipNote ? `: ${outcome.skipNote}` : ''}`,
    };
  // A violation the test recorded on its own rule while it went on (no cascade) fails that rule
  // whether or not the test passed.
  const recorded = outcome.evidence?.violations?.find((violation) => violation.ruleId === failure.ruleId);
  if (recorded) return { verdict: 'STILL FAILING', detail: recorded.message };
  if (outcome.state === 'passed') return { verdict: 'FIXED', detail: undefined };
  const message = outcome.evidence?.failure?.message ?? outcome.message?.split('\n')[0];
  if (outcome.failedRules.includes(failure.ruleId as RuleId))
    return { verdict: 'STILL FAILING', detail: message };
  return {
    verdict: 'FAILING ON ANOTHER RULE',
    detail: `${outcome.failedRules.join(', ') || 'an error that is not a contract failure'}: ${message ?? ''}`,
  };
}

interface ReplayFlags {
  rule?: string[];
  target?: string;
  token?: string;
  spec?: string;
}

/** `kvs-conformance replay <report.json>`: re-runs exactly the recorded failing cases and judges each (ReplayVerdict). */
export function addReplayCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('replay <report>')
    .description(
      're-run the failing cases a report recorded (same seed and counterexample) and say which still fail',
    )
    .option('--rule <id>', 'only the failures of this rule (repeatable)', collect)
    .option(
      '--target <url>',
      'target to replay against (default: the report target; a new embedded server if it was embedded)',
    )
    .option('--token <token>', 'API token (default: $APIFY_TOKEN)')
    .option(
      '--spec <file|url>',
      "base OpenAPI document to replay with (as `run --spec`; default: the one the report's run was given, else the shipped spec/openapi.yaml)",
    )
    .action(async (path: string, flags: ReplayFlags) => {
      const [{ readReportFile }, { runSession }] = await Promise.all([
        import('./read-report-file.ts'),
        import('../runner/run-session.ts'),
      ]);
      const report = readReportFile(path);
      const cases: { ruleId: string; failure: ReportFailure }[] = report.rules
        .filter((rule) => rule.verdict === 'fail' && (!flags.rule || flags.rule.includes(rule.id)))
        .flatMap((rule) => rule.failures.map((failure) => ({ ruleId: rule.id, failure })));
      if (cases.length === 0) {
        console.log(
          `kvs-conformance replay: ${path} records no failure${flags.rule ? ` of ${flags.rule.join(', ')}` : ''} to replay.`,
        );
        return;
      }
      const settings = Object.fromEntries(report.profile.assumptions.map((a) => [a.setting, a.value]));
      const sources = {
        flags: {
          ...(flags.target
            ? { target: flags.target }
            : report.target.embedded
              ? {}
              : { target: report.target.url }),
          ...(flags.token ? { token: flags.token } : {}),
          // The base the failures were found with: the flag, else the one the report's run was given.
          ...(flags.spec
            ? { spec: flags.spec }
            : report.spec.given === undefined
              ? {}
              : { spec: report.spec.given }),
          runs: report.run.runs,
          ...(report.run.maxCommands === undefined ? {} : { maxCommands: report.run.maxCommands }),
          settings,
        },
        env: runOptionsFromEnv(process.env),
      };
      const replayed = await runSession(cliSessionSetup(sources, 'scratch'), async (session) => {
        const lines: string[] = [];
        const counts = new Map<ReplayVerdict, number>();
        for (const { ruleId, failure } of cases) {
          const { result } = await session.run({
            seed: failure.seed ?? report.run.seed,
            replay: {
              test: failure.test,
              path: failure.path ?? undefined,
              commandsPath: /\/\*replayPath="([^"]*)"\*\//.exec(failure.counterexample?.text ?? '')?.[1],
            },
          });
          const { verdict, detail } = judgeReplay(result, failure);
          counts.set(verdict, (counts.get(verdict) ?? 0) + 1);
          lines.push(`  ${verdict}  ${ruleId}  “${failure.test}”${detail ? `\n      ${detail}` : ''}`);
        }
        return { lines, counts, targetUrl: session.target.url };
      });
      if (replayed === undefined) {
        reportInterruptedBeforeStart(setExitCode);
        return;
      }
      const { lines, counts, targetUrl } = replayed;
      console.log(`\nkvs-conformance replay against ${targetUrl}:\n${lines.join('\n')}`);
      const failing = (counts.get('STILL FAILING') ?? 0) + (counts.get('FAILING ON ANOTHER RULE') ?? 0);
      setExitCode(
        failing > 0 ? EXIT_CODES.ruleFailed : counts.has('NOT RUN') ? EXIT_CODES.toolError : EXIT_CODES.ok,
      );
    });
}
