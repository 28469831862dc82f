// Runs the CLI against a fault mode's faulty target (a real server with one planted bug) and reads
// its report: for the tests that check which rules one defect fails, and that it fails no other.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULT_MODES, startFaultyTarget } from '../../proof/faults/fault-modes.ts';
import { runCli, type CliResult } from '../../proof/run-cli.ts';
import type { ConformanceReport } from '../../reports/index.ts';

/** What a run against a faulty target printed and reported. */
export interface FaultRun {
  readonly result: CliResult;
  readonly report: ConformanceReport;
}

/** `run --target <the fault's target> --token <token> …args --out <a new folder>`, with the fault's own run flags. */
export async function runAgainstFault(
  name: string,
  token: string,
  args: readonly string[],
): Promise<FaultRun> {
  const fault = FAULT_MODES.find((mode) => mode.name === name);
  if (!fault) throw new Error(`test bug: no fault mode ${name}`);
  const target = await startFaultyTarget(fault, token);
  const out = mkdtempSync(join(tmpdir(), `kvsc-${name}-`));
  try {
    const result = await runCli([
      'run',
      '--target',
      target.url,
      '--token',
      token,
      ...args,
      '--out',
      out,
      // The fault's own flags: a defect is a failure only where the profile demands it.
      ...(fault.runFlags ?? []),
    ]);
    return {
      result,
      report: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ConformanceReport,
    };
  } finally {
    await target.close();
  }
}
