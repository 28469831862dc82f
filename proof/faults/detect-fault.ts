import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RULE_ID_PATTERN } from '../../harness/index.ts';
import type { ConformanceReport, ReportFailure } from '../../reports/index.ts';
import { writeClientFaultModule, type ClientFault } from './client-fault.ts';
import { startFaultyTarget, type FaultMode } from './fault-modes.ts';
import { runCli, type CliResult } from '../run-cli.ts';

const TOKEN = 'prove-token';

/**
 * Which suites a detection run executes: only the tests citing the fault's target rules
 * (`--rule`, the fast form), the whole areas of its targets (`--suite`), or everything.
 */
export type DetectionScope = 'targets' | 'areas' | 'all';

/** What a harness run against one fault mode found, judged on the fault's target rules. */
export interface FaultDetection {
  readonly mode: FaultMode | ClientFault;
  readonly exitCode: number | null;
  /** True when one of the fault's target rules failed (for a client fault: through its driver). */
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

/** The `--rule`/`--suite` flags a detection run of `fault` passes for `scope`. */
function scopeFlags(fault: FaultMode | ClientFault, scope: DetectionScope): string[] {
  const areas = [...new Set(fault.targets.map((id) => RULE_ID_PATTERN.exec(id)?.[1] ?? ''))];
  return scope === 'targets'
    ? fault.targets.flatMap((id) => ['--rule', id])
    : scope === 'areas'
      ? areas.flatMap((area) => ['--suite', area])
      : [];
}

/**
 * Reads what a run's report says about the fault's target rules. A target counts as killed when it
 * has a failure, and for a client fault only a failure of a test run through the fault's driver
 * (its title carries `[driver name]`); every other failed rule is collateral.
 */
function judge(
  fault: FaultMode | ClientFault,
  result: CliResult,
  out: string,
  started: number,
  throughDriver?: string,
): FaultDetection {
  if (!existsSync(join(out, 'report.json'))) {
    const lines = result.stderr.split('\n').map((line) => line.trim());
    const cause = lines.find((line) => /error/i.test(line)) ?? lines.filter(Boolean).at(-1) ?? 'no output';
    throw new Error(`${fault.name}: the run wrote no report (exit ${String(result.code)}): ${cause}`);
  }
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ConformanceReport;
  const counts = (failure: ReportFailure): boolean =>
    throughDriver === undefined || failure.test.includes(`[${throughDriver}]`);
  const failed = report.rules.filter((rule) => rule.verdict === 'fail');
  const killed = failed.filter(
    (rule) => (fault.targets as readonly string[]).includes(rule.id) && rule.failures.some(counts),
  );
  const first = firstFailure(killed.flatMap((rule) => rule.failures.filter(counts)));
  return {
    mode: fault,
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
}

/** Runs the harness against a fault mode and reads what its report says about the fault's target rules. */
export async function detectFault(
  mode: FaultMode,
  options: { readonly runs: number; readonly seed: number; readonly scope: DetectionScope },
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
      ...scopeFlags(mode, options.scope),
      ...(mode.runFlags ?? []),
    ]);
    return judge(mode, result, out, started);
  } finally {
    await target.close();
  }
}

/**
 * Runs the harness (embedded reference server) as a client's maintainer would: a default
 * `run --driver <module>` with no filter, which checks the driver's whole client profile (the
 * families suites through it and the client contract served by a scripted server), and judges the fault on its
 * target rules failing through that driver. The scope does not narrow it: a client fault is proven
 * by the run its author would make.
 */
export async function detectClientFault(
  fault: ClientFault,
  options: { readonly runs: number; readonly seed: number; readonly scope?: DetectionScope },
): Promise<FaultDetection> {
  const out = mkdtempSync(join(tmpdir(), `kvsc-prove-${fault.name}-`));
  const driverFile = writeClientFaultModule(fault, out);
  const started = Date.now();
  const result = await runCli([
    'run',
    '--runs',
    String(options.runs),
    '--seed',
    String(options.seed),
    '--out',
    join(out, 'report'),
    '--driver',
    driverFile,
  ]);
  return judge(fault, result, join(out, 'report'), started, fault.name);
}
