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
import { redactSecrets } from '../harness/http/redact.ts';
import { HARNESS_VERSION } from '../harness/version.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { addRunFlags, runOptionsFromFlags } from './run-flags.ts';

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
      ciSeed: ciRunSeed(process.env),
    });
    const out = ensureOutDir(options.out);
    // The heavy parts (contract compiler, vitest, server, reports) load only when a run starts.
    const [{ loadContract }, { runConformance }, { startEmbeddedServer }, reports] = await Promise.all([
      import('../harness/contract/load-contract.ts'),
      import('../harness/runner/run-conformance.ts'),
      import('../api/start-embedded-server.ts'),
      import('../reports/index.ts'),
    ]);
    const { buildReport, renderConsoleSummary, REPORT_FILES, writeReportFiles } = reports;
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
      const report = buildReport({
        contract,
        result,
        harnessVersion: HARNESS_VERSION,
        preset: options.profile,
        seedSource: options.seedSource,
        shard: options.shard,
        embedded,
        reportPath: shownPath(join(out, REPORT_FILES.json)),
        redact,
      });
      const written = writeReportFiles(report, out);
      console.log(renderConsoleSummary(report, shownPath(written.html)));
      console.log(
        `cleanup: deleted ${result.cleanup.deleted} store(s) created by this run (prefix ${result.storePrefix})`,
      );
      for (const left of result.cleanup.left)
        console.log(`  could not delete ${left.id}: ${redact(left.reason)}`);
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
