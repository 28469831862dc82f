import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConformanceReport, ReportFailure } from '../reports/index.ts';
import { faultArea, startFaultyTarget, type FaultMode } from './fault-modes.ts';
import { runCli } from './run-cli.ts';

const TOKEN = 'prove-token';

/**
 * Which suites a detection run executes: only the tests citing the fault's target rules
 * (`--rule`, the fast form), the whole areas of its targets (`--suite`), or everything.
 */
export type DetectionScope = 'targets' | 'areas' | 'all';

/** What a harness run against one fault mode found, judged on the fault's target rules. */
export interface FaultDetection {
  readonly mode: FaultMode;
  readonly exitCode: number | null;
  /** True when one of the fault's target rules failed. */
  readonly detected: boolean;
  /** The target rules that failed. */
  readonly killedTargets: readonly string[];
  /** Every other rule that failed (collateral). */
  readonly collateral: readonly string[];
  /** Generated cases until the first failure of a target rule (1 = the first case failed). */
  readonly runsUntilDetection: number | null;
  /** Length (characters) of the shrunk counterexample of that failure. */
  readonly counterexampleChars: number | null;
  readonly counterexample: string | null;
  /** How many shrink steps fast-check took to get there. */
  readonly shrinks: number | null;
  readonly durationMs: number;
}

/** The failure of a target rule that was found soonest (fewest generated cases). */
function firstFailure(failures: readonly ReportFailure[]): ReportFailure | undefined {
  return [...failures].sort((a, b) => (a.runsUntilFailure ?? Infinity) - (b.runsUntilFailure ?? Infinity))[0];
}

/** Runs the harness against a fault mode and reads what its report says about the fault's target rules. */
export async function detectFault(
  mode: FaultMode,
  options: { readonly runs: number; readonly seed: number; readonly scope: DetectionScope },
): Promise<FaultDetection> {
  const out = mkdtempSync(join(tmpdir(), `kvsc-prove-${mode.name}-`));
  const target = await startFaultyTarget(mode, TOKEN);
  const areas = [...new Set(mode.targets.map((id) => /^KVS-([A-Z]+)-/.exec(id)?.[1] ?? faultArea(mode)))];
  const scope =
    options.scope === 'targets'
      ? mode.targets.flatMap((id) => ['--rule', id])
      : options.scope === 'areas'
        ? areas.flatMap((area) => ['--suite', area])
        : [];
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
      ...scope,
      ...(mode.runFlags ?? []),
    ]);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ConformanceReport;
    const failed = report.rules.filter((rule) => rule.verdict === 'fail');
    const killed = failed.filter((rule) => (mode.targets as readonly string[]).includes(rule.id));
    const first = firstFailure(killed.flatMap((rule) => rule.failures));
    return {
      mode,
      exitCode: result.code,
      detected: killed.length > 0,
      killedTargets: killed.map((rule) => rule.id),
      collateral: failed.filter((rule) => !killed.includes(rule)).map((rule) => rule.id),
      runsUntilDetection: first ? (first.runsUntilFailure ?? 1) : null,
      counterexampleChars: first?.counterexample?.text.length ?? null,
      counterexample: first?.counterexample?.text ?? null,
      shrinks: first?.shrinks ?? null,
      durationMs: Date.now() - started,
    };
  } finally {
    await target.close();
  }
}
