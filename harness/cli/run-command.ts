import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { loadContract, type Contract } from '../contract/load-contract.ts';
import { loadConfigFile, resolveRunOptions, runOptionsFromEnv } from '../config/resolve-run-options.ts';
import type { ResolvedRunOptions } from '../config/run-options.ts';
import { redactSecrets } from '../http/redact.ts';
import { runConformance, type RunResult } from '../runner/run-conformance.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { addRunFlags, runOptionsFromFlags } from './run-flags.ts';

/** How stale the embedded server's eventual mode gets: well inside the window. */
function embeddedStaleMs(windowMs: number): number {
  return Math.min(200, Math.floor(windowMs / 4));
}

/**
 * Starts the embedded reference server. Without a token of the user's, the run makes one up, so
 * that the AUTH and SIGN rules are checked by default too.
 */
async function startEmbeddedServer(contract: Contract, options: ResolvedRunOptions): Promise<RunningServer> {
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

/** The console summary: verdict line, failed rules first, cleanup, and how to replay. */
export function summarize(result: RunResult, redact: (text: string) => string): string {
  const count = (verdict: string): number => result.verdicts.filter((v) => v.verdict === verdict).length;
  const failed = result.verdicts.filter((v) => v.verdict === 'fail');
  const mustFailed = failed.filter((v) => v.rule.level === 'MUST').length;
  const lines = [
    '',
    `kvs-conformance: ${mustFailed === 0 ? 'PASS' : 'FAIL'} — ${count('pass')} rules passed, ${failed.length} failed (${mustFailed} MUST), ${count('skipped')} skipped, ${count('inconclusive')} inconclusive`,
    `target ${result.targetUrl}, consistency ${String(result.settings.consistency)}, seed ${result.seed}, ${result.runs} runs per property, ${(result.durationMs / 1000).toFixed(1)} s`,
  ];
  for (const verdict of failed) {
    const first =
      verdict.failures[0]?.message?.split('\n').find((line) => line.includes(`[${verdict.rule.id}]`)) ?? '';
    lines.push(
      `  ✗ ${verdict.rule.id} (${verdict.rule.level}) ${verdict.rule.rule}`,
      `      ${redact(first.replace(/^.*?\[KVS-/, '[KVS-').trim()).slice(0, 400)}`,
    );
  }
  lines.push(
    `cleanup: deleted ${result.cleanup.deleted} store(s) created by this run (prefix ${result.storePrefix})`,
  );
  for (const left of result.cleanup.left) lines.push(`  could not delete ${left.id}: ${left.reason}`);
  if (failed.length > 0)
    lines.push(
      `replay: kvs-conformance run --seed ${result.seed} ${failed.map((v) => `--rule ${v.rule.id}`).join(' ')}`,
    );
  return lines.join('\n');
}

/** `kvs-conformance run`: the suites against a target; sets the exit code it returns through `setExitCode`. */
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
    const redact = (text: string): string => redactSecrets(text, options.token ? [options.token] : []);
    const contract = await loadContract();
    const embedded = options.target === undefined;
    if (embedded && options.token === undefined)
      options = { ...options, token: `kvsc-${randomBytes(12).toString('hex')}` };
    const server = embedded ? await startEmbeddedServer(contract, options) : undefined;
    const targetUrl = options.target ?? server?.url ?? '';
    if (server)
      console.log(
        `kvs-conformance: no --target given; started the embedded reference server at ${server.url}`,
      );
    try {
      const result = await runConformance(contract, options, targetUrl);
      console.log(summarize(result, redact));
      if (result.interrupted) {
        console.error('kvs-conformance: interrupted; the stores this run created were deleted.');
        setExitCode(EXIT_CODES.toolError);
      } else if (result.runErrors.length > 0) {
        console.error(
          `kvs-conformance: the suites could not all run:\n${result.runErrors.map((e) => `  ${redact(e)}`).join('\n')}`,
        );
        setExitCode(EXIT_CODES.toolError);
      } else {
        const mustFailed = result.verdicts.some((v) => v.verdict === 'fail' && v.rule.level === 'MUST');
        setExitCode(mustFailed ? EXIT_CODES.ruleFailed : EXIT_CODES.ok);
      }
    } finally {
      await server?.close();
    }
  });
}
