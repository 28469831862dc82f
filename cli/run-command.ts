import { randomBytes } from 'node:crypto';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadContract, type Contract } from '../harness/contract/load-contract.ts';
import {
  loadConfigFile,
  resolveRunOptions,
  runOptionsFromEnv,
} from '../harness/config/resolve-run-options.ts';
import type { ResolvedRunOptions } from '../harness/config/run-options.ts';
import { redactSecrets } from '../harness/http/redact.ts';
import { runConformance } from '../harness/runner/run-conformance.ts';
import { HARNESS_VERSION } from '../harness/version.ts';
import { startServer, type RunningServer } from '../server/index.ts';
import { buildReport, renderConsoleSummary, REPORT_FILES, writeReportFiles } from '../reports/index.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { addRunFlags, runOptionsFromFlags } from './run-flags.ts';

/** How stale the embedded server's eventual mode gets: well inside the window. */
function embeddedStaleMs(windowMs: number): number {
  return Math.min(200, Math.floor(windowMs / 4));
}

/** Starts the embedded reference server, matching the run's consistency profile. */
export async function startEmbeddedServer(
  contract: Contract,
  options: ResolvedRunOptions,
): Promise<RunningServer> {
  const eventual =
    (options.settings.consistency ??
      contract.profiles.presets.get(options.profile ?? '')?.settings.consistency) === 'eventual';
  const windowMs = Number(
    options.settings.consistencyWindowMs ?? contract.profiles.defaults.consistencyWindowMs,
  );
  return startServer({
    tokens: options.token ? [options.token] : [],
    maxRecordBytes: contract.limits.maxPayloadBytes,
    consistency: eventual ? { mode: 'eventual', staleMs: embeddedStaleMs(windowMs) } : { mode: 'strong' },
  });
}

/** A display path: relative to the working directory when inside it. */
export function shownPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown.startsWith('..') ? path : shown;
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
    });
    const contract = await loadContract();
    const embedded = options.target === undefined;
    // Without a token of the user's, the embedded server gets a made-up one, so that the AUTH and
    // SIGN rules are checked by default too.
    if (embedded && options.token === undefined)
      options = { ...options, token: `kvsc-${randomBytes(12).toString('hex')}` };
    const redact = (text: string): string => redactSecrets(text, options.token ? [options.token] : []);
    const server = embedded ? await startEmbeddedServer(contract, options) : undefined;
    const targetUrl = options.target ?? server?.url ?? '';
    if (server)
      console.log(
        `kvs-conformance: no --target given; started the embedded reference server at ${server.url}`,
      );
    try {
      const result = await runConformance(contract, options, targetUrl);
      const out = resolve(options.out);
      const report = buildReport({
        contract,
        result,
        harnessVersion: HARNESS_VERSION,
        preset: options.profile,
        shard: options.shard,
        embedded,
        reportPath: shownPath(join(out, REPORT_FILES.json)),
        redact,
      });
      const written = writeReportFiles(report, out);
      console.log(renderConsoleSummary(report, shownPath(written.html)));
      const { cleanup } = result;
      console.log(
        `cleanup: deleted ${cleanup.deleted} store(s) created by this run (prefix ${result.storePrefix})` +
          (cleanup.left.length > 0
            ? `; ${cleanup.left.length} store(s) of this run left on the target:`
            : ''),
      );
      for (const left of cleanup.left) console.log(`  left ${redact(left.id)}: ${redact(left.reason)}`);
      for (const problem of cleanup.problems) console.log(`  cleanup problem: ${redact(problem)}`);
      if (result.interrupted) {
        console.error('kvs-conformance: interrupted; the stores this run created were deleted.');
        setExitCode(EXIT_CODES.toolError);
      } else if (result.runErrors.length > 0) {
        console.error(
          `kvs-conformance: the suites could not all run:\n${result.runErrors.map((e) => `  ${redact(e)}`).join('\n')}`,
        );
        setExitCode(EXIT_CODES.toolError);
      } else {
        setExitCode(report.totals.mustFail > 0 ? EXIT_CODES.ruleFailed : EXIT_CODES.ok);
      }
    } finally {
      await server?.close();
    }
  });
}
