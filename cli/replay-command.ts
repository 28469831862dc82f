import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { resolveRunOptions, runOptionsFromEnv } from '../harness/config/resolve-run-options.ts';
import type { ReportFailure } from '../reports/index.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { collect } from './parse-flag.ts';

interface ReplayFlags {
  rule?: string[];
  target?: string;
  token?: string;
}

/** `kvs-conformance replay <report.json>`: re-runs exactly the recorded failing cases; FIXED or STILL FAILING each. */
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
    .action(async (path: string, flags: ReplayFlags) => {
      const [{ readReportFile }, { loadContract }, { runConformance }, { startEmbeddedServer }] =
        await Promise.all([
          import('./read-report-file.ts'),
          import('../harness/contract/load-contract.ts'),
          import('../harness/runner/run-conformance.ts'),
          import('../api/start-embedded-server.ts'),
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
      const contract = await loadContract();
      let options = resolveRunOptions({
        flags: {
          ...(flags.target
            ? { target: flags.target }
            : report.target.embedded
              ? {}
              : { target: report.target.url }),
          ...(flags.token ? { token: flags.token } : {}),
          runs: report.run.runs,
          settings,
          out: mkdtempSync(join(tmpdir(), 'kvsc-replay-')),
        },
        env: runOptionsFromEnv(process.env),
      });
      if (options.target === undefined && options.token === undefined)
        options = { ...options, token: `kvsc-${randomBytes(12).toString('hex')}` };
      const server = options.target === undefined ? await startEmbeddedServer(contract, options) : undefined;
      const targetUrl = options.target ?? server?.url ?? '';
      const lines: string[] = [];
      let stillFailing = 0;
      try {
        for (const { ruleId, failure } of cases) {
          const result = await runConformance(
            contract,
            { ...options, seed: failure.seed ?? report.run.seed },
            targetUrl,
            {
              test: failure.test,
              path: failure.path ?? undefined,
            },
          );
          const outcome = result.outcomes.find((candidate) => candidate.title === failure.test);
          const again =
            outcome?.state === 'failed' &&
            (outcome.failedRules.includes(failure.ruleId as never) ||
              outcome.evidence?.failure?.ruleId === failure.ruleId);
          if (again) stillFailing += 1;
          const verdict = !outcome
            ? 'NOT RUN (the test no longer exists)'
            : again
              ? 'STILL FAILING'
              : 'FIXED';
          lines.push(
            `  ${verdict}  ${ruleId}  “${failure.test}”${again ? `\n      ${outcome.evidence?.failure?.message ?? ''}` : ''}`,
          );
        }
      } finally {
        await server?.close();
      }
      console.log(`\nkvs-conformance replay against ${targetUrl}:\n${lines.join('\n')}`);
      setExitCode(stillFailing > 0 ? EXIT_CODES.ruleFailed : EXIT_CODES.ok);
    });
}
