import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { Command } from 'commander';
import { runOptionsFromEnv } from '../harness/config/resolve-run-options.ts';
import type { RunResult } from '../harness/results/run-result.ts';
import type { RuleId } from '../harness/contract/rule-catalog.ts';
import { RULE_IDS } from '../harness/contract/rule-ids.ts';
import type { ConformanceReport, ReportExpectation, ReportFailure } from '../reports/index.ts';
import { BUILT_IN_DRIVERS } from '../harness/drivers/built-in-drivers.ts';
import { HarnessError } from '../harness/errors.ts';
import { checkRuleFlags } from '../runner/check-rule-flags.ts';
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
        : result.outcomes.length === 0
          ? 'the run collected no test at all (not even the skipped others of its file)'
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
  driver?: string[];
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
      '--driver <name|module>',
      "a driver to replay through, as to `run` (repeatable; default: the report's run's drivers, a module at the path it was loaded from)",
      collect,
    )
    .option(
      '--spec <file|url>',
      "base OpenAPI document to replay with (as `run --spec`; default: the one the report's run was given, else the shipped spec/openapi.yaml)",
    )
    .action(async (path: string, flags: ReplayFlags) => {
      const [{ readReportFile }, { runSession }] = await Promise.all([
        import('./read-report-file.ts'),
        import('../runner/run-session.ts'),
      ]);
      // An unknown rule id is a usage error, as for `run --rule`, not "no failure of it recorded".
      checkRuleFlags(flags.rule ?? [], RULE_IDS);
      const report = readReportFile(path);
      // Failures declared with --expect-fail (or a deviation manifest) are recorded too: replayed,
      // and said to be expected.
      const cases: ReplayCaseOf[] = report.rules
        .filter(
          (rule) =>
            (rule.verdict === 'fail' || rule.verdict === 'expected-fail') &&
            (!flags.rule || flags.rule.includes(rule.id)),
        )
        .flatMap((rule) =>
          rule.failures.map((failure) => ({
            ruleId: rule.id,
            failure,
            expected: rule.verdict === 'expected-fail' ? rule.expectation : undefined,
          })),
        );
      if (cases.length === 0) {
        console.log(
          `kvs-conformance replay: ${path} records no failure${flags.rule ? ` of ${flags.rule.join(', ')}` : ''} to replay.`,
        );
        return;
      }
      const drivers = replayDrivers(report, flags.driver);
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
          ...(drivers === undefined ? {} : { driver: drivers }),
          // The progress output shows a declared failure as expected, as the recorded run did.
          expectFail: [...new Set(cases.flatMap((each) => (each.expected ? [each.ruleId] : [])))],
          ...(report.run.maxCommands === undefined ? {} : { maxCommands: report.run.maxCommands }),
          settings,
        },
        env: runOptionsFromEnv(process.env),
      };
      const replayed = await runSession(cliSessionSetup(sources, 'scratch'), async (session) => {
        const judged: JudgedCase[] = [];
        for (const replayCase of cases) {
          const { failure } = replayCase;
          const { result } = await session.run({
            seed: failure.seed ?? report.run.seed,
            replay: {
              test: failure.test,
              path: failure.path ?? undefined,
              commandsPath: /\/\*replayPath="([^"]*)"\*\//.exec(failure.counterexample?.text ?? '')?.[1],
            },
          });
          judged.push({ ...replayCase, ...judgeReplay(result, failure) });
        }
        return { judged, targetUrl: session.target.url };
      });
      if (replayed === undefined) {
        reportInterruptedBeforeStart(setExitCode);
        return;
      }
      const { judged, targetUrl } = replayed;
      console.log(`\nkvs-conformance replay against ${targetUrl}:\n${judged.map(describeCase).join('\n')}`);
      console.log(replayTally(judged));
      setExitCode(replayExitCode(judged));
    });
}

/** The drivers every report of this version can name without saying how to load them. */
const KNOWN_DRIVER = (name: string): boolean =>
  name === 'http' ||
  name.startsWith('apify-client@') ||
  (BUILT_IN_DRIVERS as readonly string[]).includes(name);

/**
 * The `--driver` values to replay through: those given, else those the report's run recorded (a
 * module by its absolute path, which must still be there), else, for a report of an older version
 * that names only built-in drivers, those names. A driver the report cannot load again is a usage
 * error that says to give it with --driver (a replay through other drivers runs none of its cases).
 */
function replayDrivers(
  report: ConformanceReport,
  given: readonly string[] | undefined,
): string[] | undefined {
  if (given !== undefined) return [...given];
  const recorded = report.run.driverFlags;
  if (recorded !== undefined) {
    const gone = recorded.filter((flag) => isAbsolute(flag) && !existsSync(flag));
    if (gone.length > 0)
      throw new HarnessError(
        'KVSC_USAGE',
        `replay: the report's run loaded driver module(s) ${gone.join(', ')}, which no longer exist; give each driver to replay through with --driver <name|module> (as to run)`,
      );
    return [...recorded];
  }
  const names = report.drivers.map((driver) => driver.name);
  const unknown = names.filter((name) => !KNOWN_DRIVER(name));
  if (unknown.length > 0)
    throw new HarnessError(
      'KVSC_USAGE',
      `replay: the report's run went through driver(s) ${unknown.join(', ')}, and a report of schema ${report.schemaVersion} does not say where they were loaded from; give each driver to replay through with --driver <name|module> (as to run)`,
    );
  return names;
}

/** One recorded failing case of a report, and the declaration that expected it (if any). */
interface ReplayCaseOf {
  readonly ruleId: string;
  readonly failure: ReportFailure;
  readonly expected: ReportExpectation | undefined;
}

/** A replayed case with its verdict. */
type JudgedCase = ReplayCaseOf & { readonly verdict: ReplayVerdict; readonly detail: string | undefined };

/** Still failing on the recorded rule, where a declaration expected exactly that. */
const stillFailingAsExpected = (judged: JudgedCase): boolean =>
  judged.expected !== undefined && judged.verdict === 'STILL FAILING';

/** A case's lines: verdict, rule and test; the declaration that expected it; what the replay saw. */
function describeCase(judged: JudgedCase): string {
  const { verdict, ruleId, failure, expected, detail } = judged;
  const declared = expected
    ? `expected to fail (${expected.from}: ${expected.reason})${verdict === 'FIXED' ? ': it passes now, remove the declaration' : ''}`
    : undefined;
  return [
    `  ${verdict}  ${ruleId}  “${failure.test}”`,
    ...(declared ? [`      ${declared}`] : []),
    ...(detail ? [`      ${detail}`] : []),
  ].join('\n');
}

/** The closing line: how many cases replayed, and how many of each verdict. */
function replayTally(judged: readonly JudgedCase[]): string {
  const verdicts: ReplayVerdict[] = ['STILL FAILING', 'FAILING ON ANOTHER RULE', 'FIXED', 'NOT RUN'];
  const parts = verdicts.flatMap((verdict) => {
    const count = judged.filter((each) => each.verdict === verdict).length;
    const expected = judged.filter((each) => each.verdict === verdict && each.expected).length;
    return count === 0
      ? []
      : [`${count} ${verdict.toLowerCase()}${expected > 0 ? ` (${expected} of them expected to fail)` : ''}`];
  });
  return `replay: ${judged.length} recorded case(s): ${parts.join(', ')}`;
}

/**
 * 1 when a case still fails (on its rule, unless a declaration expected that, or on another rule);
 * else 2 when a case could not be run (not everything was judged); else 0. A declared failure that
 * still fails is what the run's own exit code accepts too.
 */
function replayExitCode(judged: readonly JudgedCase[]): number {
  const failing = judged.filter(
    (each) =>
      (each.verdict === 'STILL FAILING' || each.verdict === 'FAILING ON ANOTHER RULE') &&
      !stillFailingAsExpected(each),
  );
  if (failing.length > 0) return EXIT_CODES.ruleFailed;
  return judged.some((each) => each.verdict === 'NOT RUN') ? EXIT_CODES.toolError : EXIT_CODES.ok;
}
