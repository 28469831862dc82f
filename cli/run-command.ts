import { randomBytes } from 'node:crypto';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { ciRunSeed } from '../harness/config/ci-run-seed.ts';
import { ensureOutDir } from '../harness/config/ensure-out-dir.ts';
import {
  loadConfigFile,
  resolveRunOptions,
  runOptionsFromEnv,
} from '../harness/config/resolve-run-options.ts';
import type { ResolvedRunOptions } from '../harness/config/run-options.ts';
import type { Contract } from '../harness/contract/load-contract.ts';
import { RULES_REFERENCE_FILE } from '../harness/contract/rules-reference-location.ts';
import { redactSecrets, shortTokenWarning } from '../harness/http/redact.ts';
import type { ContainerTarget } from '../runner/start-container-target.ts';
import { HARNESS_VERSION } from '../harness/version.ts';
import type { RunningServer } from '../server/index.ts';
import type * as ReportsModule from '../reports/index.ts';
import type { ConformanceReport } from '../reports/index.ts';
import type { runConformance as runConformanceType } from '../runner/run-conformance.ts';
import { EXIT_CODES, exitCodeFor } from './exit-codes.ts';
import { listenForInterruption } from './interruption.ts';
import { addRunFlags, runOptionsFromFlags } from './run-flags.ts';
import { watchRuns } from './watch-runs.ts';

/** A display path: relative to the working directory when inside it. */
export function shownPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown.startsWith('..') ? path : shown;
}

/** One run's outcome: its report and the exit code it earns. */
interface RunOutcome {
  readonly report: ConformanceReport;
  readonly exitCode: number;
}

/** What one run needs besides its options: loaded lazily, so `--help` does not pay for it. */
interface RunModules {
  readonly runConformance: typeof runConformanceType;
  readonly reports: typeof ReportsModule;
}

/** Runs the suites once against the target, writes the four report files, prints the summary, cleanup and errors. */
async function runAndReport(
  modules: RunModules,
  contract: Contract,
  options: ResolvedRunOptions,
  out: string,
  target: { readonly url: string; readonly embedded: boolean },
  redact: (text: string) => string,
  interrupt: AbortSignal,
): Promise<RunOutcome> {
  const { buildReport, renderConsoleSummary, REPORT_FILES, writeReportFiles } = modules.reports;
  const result = await modules.runConformance(contract, options, target.url, undefined, interrupt);
  const report = buildReport({
    contract,
    result,
    harnessVersion: HARNESS_VERSION,
    preset: options.profile,
    seedSource: options.seedSource,
    shard: options.shard,
    embedded: target.embedded,
    reportPath: shownPath(join(out, REPORT_FILES.json)),
    redact,
    withToken: options.token !== undefined,
    rulesReference: { url: options.rulesUrl, file: RULES_REFERENCE_FILE },
  });
  const written = writeReportFiles(report, out);
  const htmlPath = shownPath(written.html);
  // Watch mode prints its own lines (changed verdicts and a summary).
  if (!options.watch) console.log(renderConsoleSummary(report, htmlPath));
  const { cleanup } = result;
  if (!options.watch || cleanup.left.length > 0 || cleanup.problems.length > 0)
    console.log(
      `cleanup: ${cleanup.created} store(s) created by this run, ${cleanup.deleted} deleted, ${cleanup.left.length} left (prefix ${result.storePrefix})` +
        (cleanup.left.length > 0 ? `; ${cleanup.left.length} store(s) of this run left on the target:` : ''),
    );
  for (const left of cleanup.left) console.log(`  left ${redact(left.id)}: ${redact(left.reason)}`);
  for (const problem of cleanup.problems) console.log(`  cleanup problem: ${redact(problem)}`);
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
    const file = await loadConfigFile(flags.config as string | undefined, process.cwd());
    let options = resolveRunOptions({
      flags: runOptionsFromFlags(flags),
      env: runOptionsFromEnv(process.env),
      ...(file ? { file } : {}),
      ciSeed: ciRunSeed(process.env),
    });
    const out = ensureOutDir(options.out);
    // The heavy parts (contract compiler, vitest, server, reports, testcontainers) load only when a run starts.
    const [{ loadContract }, { runConformance }, { startEmbeddedServer }, reports] = await Promise.all([
      import('../harness/contract/load-contract.ts'),
      import('../runner/run-conformance.ts'),
      import('../api/start-embedded-server.ts'),
      import('../reports/index.ts'),
    ]);
    const modules: RunModules = { runConformance, reports };
    const contract = await loadContract(options.spec === undefined ? {} : { openapiFile: options.spec });
    const embedded = options.target === undefined && options.targetImage === undefined;
    // Without a token of the user's, the embedded server gets a made-up one, so that the AUTH and
    // SIGN rules are checked by default too.
    if (embedded && options.token === undefined)
      options = { ...options, token: `kvsc-${randomBytes(12).toString('hex')}` };
    const redact = (text: string): string => redactSecrets(text, options.token ? [options.token] : []);
    // A short token is redacted only where it stands alone: say so once, before any output.
    const warning = shortTokenWarning(options.token);
    if (warning !== undefined) console.error(warning);
    // From here on a signal ends the run through the cleanup below: stores, server, container.
    const interruption = listenForInterruption();
    let server: RunningServer | undefined;
    let container: ContainerTarget | undefined;
    try {
      server = embedded ? await startEmbeddedServer(contract, options) : undefined;
      if (server)
        console.log(
          `kvs-conformance: no --target given; started the embedded reference server at ${server.url}`,
        );
      if (options.targetImage) {
        const { image, port, waitPath } = options.targetImage;
        const { startContainerTarget } = await import('../runner/start-container-target.ts');
        container = await startContainerTarget(options.targetImage, (engine) =>
          console.log(
            `kvs-conformance: starting ${image} on ${engine.source} (host network, port ${port}, waiting for GET ${waitPath})`,
          ),
        );
        console.log(`kvs-conformance: container ${container.id.slice(0, 12)} answers at ${container.url}`);
      }
      if (interruption.signal.aborted) {
        console.error('kvs-conformance: interrupted before the run started; nothing was judged.');
        setExitCode(EXIT_CODES.toolError);
        return;
      }
      const target = { url: options.target ?? container?.url ?? server?.url ?? '', embedded };
      const runOnce = (): Promise<RunOutcome> =>
        runAndReport(modules, contract, options, out, target, redact, interruption.signal);
      if (options.watch) {
        let exitCode: number = EXIT_CODES.ok;
        await watchRuns({
          runOnce: async () => {
            // Until the run ends: a run that could not run (target down) leaves exit 2.
            exitCode = EXIT_CODES.toolError;
            const outcome = await runOnce();
            exitCode = outcome.exitCode;
            return outcome.report.run.interrupted ? undefined : outcome.report;
          },
          paths: options.watch.paths,
          ignored: options.out,
          input: process.stdin,
          stop: interruption.signal,
          print: (line) => console.log(line),
          reportPath: shownPath(join(out, reports.REPORT_FILES.html)),
        });
        setExitCode(exitCode);
        return;
      }
      setExitCode((await runOnce()).exitCode);
    } finally {
      await container?.stop();
      await server?.close();
      interruption.dispose();
    }
  });
}
