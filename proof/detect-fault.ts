import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConformanceReport } from '../reports/index.ts';
import { startFaultyTarget, type FaultMode } from './fault-modes.ts';
import { runCli } from './run-cli.ts';

const TOKEN = 'prove-token';

/** What a full harness run against one fault mode found. */
export interface FaultDetection {
  readonly mode: FaultMode;
  readonly exitCode: number | null;
  /** True when a rule of the fault's own area failed. */
  readonly detected: boolean;
  /** Every rule that failed, the fault's area first. */
  readonly failedRules: readonly string[];
  /** Generated cases until the first failure in the fault's area (1 = the first case failed). */
  readonly runsUntilDetection: number | null;
  /** Length (characters) of the shrunk counterexample of that failure. */
  readonly counterexampleChars: number | null;
  readonly counterexample: string | null;
  readonly durationMs: number;
}

/** Runs the whole harness (every suite) against a fault mode and reads what its report says. */
export async function detectFault(
  mode: FaultMode,
  options: { readonly runs: number; readonly seed: number },
): Promise<FaultDetection> {
  const out = mkdtempSync(join(tmpdir(), `kvsc-prove-${mode.name}-`));
  const target = await startFaultyTarget(mode, TOKEN);
  const started = Date.now();
  try {
    const result = await runCli([
      'run',
      '--target',
      target.url,
      '--token',
      TOKEN,
      '--runs',
      String(options.runs),
      '--seed',
      String(options.seed),
      '--out',
      out,
      ...(mode.runFlags ?? []),
    ]);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ConformanceReport;
    const failed = report.rules.filter((rule) => rule.verdict === 'fail');
    const own = failed.filter((rule) => rule.area === mode.area);
    const first = own
      .flatMap((rule) => rule.failures)
      .filter((failure) => failure.runsUntilFailure !== null)
      .sort((a, b) => (a.runsUntilFailure ?? 0) - (b.runsUntilFailure ?? 0))[0];
    return {
      mode,
      exitCode: result.code,
      detected: own.length > 0,
      failedRules: [...own, ...failed.filter((rule) => rule.area !== mode.area)].map((rule) => rule.id),
      runsUntilDetection: first?.runsUntilFailure ?? (own.length > 0 ? 1 : null),
      counterexampleChars: first?.counterexample?.text.length ?? null,
      counterexample: first?.counterexample?.text ?? null,
      durationMs: Date.now() - started,
    };
  } finally {
    await target.close();
  }
}
