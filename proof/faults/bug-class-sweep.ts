// The verdict on the twelve classes of client bugs must not depend on the seed: one matrix run per
// seed with one planted bug per class (client-faults.ts, CLIENT_BUG_CLASSES) and the honest driver
// template side by side, with a single generated case per property on top of the fixed examples
// (`--runs 1`, which keeps it affordable). `npm run prove` sweeps 20 seeds; the test keeps a few.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConformanceMatrix } from '../../harness/results/conformance-matrix.ts';
import { runCli } from '../run-cli.ts';
import { writeClientFaultModule } from './client-fault.ts';
import { CLIENT_BUG_CLASSES, CLIENT_FAULTS } from './client-faults.ts';

const TEMPLATE = fileURLToPath(new URL('../../examples/driver-template.mjs', import.meta.url));
/** The honest driver template's name in the matrix. */
const HONEST = 'hand-written';

/** The planted bug of each class. */
export const BUG_CLASS_FAULTS = CLIENT_FAULTS.filter((fault) => CLIENT_BUG_CLASSES.includes(fault.name));
/** The rules the planted bugs target, each run through every driver. */
export const BUG_CLASS_TARGETS = [...new Set(BUG_CLASS_FAULTS.flatMap((fault) => fault.targets))];

/** The first `count` seeds of the sweep (3000 + 7919·i). */
export const bugClassSeeds = (count: number): number[] =>
  Array.from({ length: count }, (_, index) => 3000 + index * 7919);

/** What one seed's matrix says about the bug classes. */
export interface BugClassVerdict {
  readonly seed: number;
  /** Every (planted bug, target rule) not judged a failure, every target the honest template does not pass, a run that went wrong. */
  readonly misjudged: readonly string[];
  /** Failing cells of the planted bugs' drivers over all their rows (targets and collateral): the breadth of the kill. */
  readonly failingCells: number;
  readonly durationMs: number;
}

/** Every misjudged cell of a matrix (see BugClassVerdict.misjudged). */
function misjudgedCells(matrix: ConformanceMatrix): string[] {
  const cell = (ruleId: string, driver: string): string | undefined =>
    matrix.rows.find((row) => row.ruleId === ruleId)?.cells[driver]?.verdict;
  return [
    ...BUG_CLASS_FAULTS.flatMap((fault) =>
      fault.targets
        .filter((id) => cell(id, fault.name) !== 'fail')
        .map((id) => `${fault.name} not caught on ${id} (${String(cell(id, fault.name))})`),
    ),
    ...BUG_CLASS_TARGETS.filter((id) => cell(id, HONEST) !== 'pass').map(
      (id) => `the honest template ${String(cell(id, HONEST))} on ${id}`,
    ),
  ];
}

/** Runs the matrix of one seed (the planted bugs and the honest template on their target rules) and judges it. */
export async function judgeBugClasses(seed: number): Promise<BugClassVerdict> {
  const dir = mkdtempSync(join(tmpdir(), `kvsc-bug-classes-${seed}-`));
  const started = Date.now();
  try {
    const result = await runCli([
      'matrix',
      '--manifest',
      'none',
      '--seed',
      String(seed),
      '--runs',
      '1',
      ...BUG_CLASS_TARGETS.flatMap((id) => ['--rule', id]),
      '--driver',
      TEMPLATE,
      ...BUG_CLASS_FAULTS.flatMap((fault) => ['--driver', writeClientFaultModule(fault, dir)]),
      '--out',
      join(dir, 'out'),
    ]);
    const durationMs = Date.now() - started;
    // Exit 1: the planted bugs fail their rules (and nothing stops the run).
    if (result.code !== 1) {
      const cause = result.stderr.trim().split('\n').at(-1) ?? '';
      return {
        seed,
        misjudged: [`matrix exit ${String(result.code)}: ${cause}`],
        failingCells: 0,
        durationMs,
      };
    }
    const matrix = JSON.parse(readFileSync(join(dir, 'out', 'matrix.json'), 'utf8')) as ConformanceMatrix;
    const failingCells = matrix.rows.reduce(
      (sum, row) =>
        sum + BUG_CLASS_FAULTS.filter((fault) => row.cells[fault.name]?.verdict === 'fail').length,
      0,
    );
    return { seed, misjudged: misjudgedCells(matrix), failingCells, durationMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
