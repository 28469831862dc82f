// The verdict on the twelve classes of client bugs does not depend on the seed: over 20 seeds, one
// matrix run per seed with one planted bug per class (proof/faults/client-faults.ts) and the honest
// driver template side by side, with a single generated case per property on top of the fixed
// examples (`--runs 1`, which keeps it affordable): every planted bug fails each of its target rules
// through its own driver, and the honest template passes all of them.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ConformanceMatrix } from '../../harness/results/conformance-matrix.ts';
import { writeClientFaultModule } from '../../proof/faults/client-fault.ts';
import { CLIENT_BUG_CLASSES, CLIENT_FAULTS } from '../../proof/faults/client-faults.ts';
import { runCli } from '../../proof/run-cli.ts';

const TEMPLATE = fileURLToPath(new URL('../../examples/driver-template.mjs', import.meta.url));
const SEEDS = Array.from({ length: 20 }, (_, index) => 3000 + index * 7919);
const faults = CLIENT_FAULTS.filter((fault) => CLIENT_BUG_CLASSES.includes(fault.name));
const targets = [...new Set(faults.flatMap((fault) => fault.targets))];

/** The matrix of one seed: the planted bugs and the honest template on their target rules. */
async function matrixOf(seed: number): Promise<ConformanceMatrix> {
  const dir = mkdtempSync(join(tmpdir(), `kvsc-bug-classes-${seed}-`));
  const result = await runCli([
    'matrix',
    '--manifest',
    'none',
    '--seed',
    String(seed),
    '--runs',
    '1',
    ...targets.flatMap((id) => ['--rule', id]),
    '--driver',
    TEMPLATE,
    ...faults.flatMap((fault) => ['--driver', writeClientFaultModule(fault, dir)]),
    '--out',
    join(dir, 'out'),
  ]);
  expect(result.code, result.stderr).toBe(1);
  return JSON.parse(readFileSync(join(dir, 'out', 'matrix.json'), 'utf8')) as ConformanceMatrix;
}

/** Every (fault, target) whose cell is not a failure, and every target the honest template does not pass. */
function misjudged(matrix: ConformanceMatrix): string[] {
  const cell = (ruleId: string, driver: string): string | undefined =>
    matrix.rows.find((row) => row.ruleId === ruleId)?.cells[driver]?.verdict;
  return [
    ...faults.flatMap((fault) =>
      fault.targets
        .filter((id) => cell(id, fault.name) !== 'fail')
        .map((id) => `${fault.name} not caught on ${id} (${String(cell(id, fault.name))})`),
    ),
    ...targets
      .filter((id) => cell(id, 'hand-written') !== 'pass')
      .map((id) => `the honest template ${String(cell(id, 'hand-written'))} on ${id}`),
  ];
}

describe('the twelve client bug classes over 20 seeds', () => {
  it('has one planted bug per class', () => {
    expect(faults.map((fault) => fault.name).sort()).toEqual([...CLIENT_BUG_CLASSES].sort());
  });

  it('catches every class on every seed, and the honest template stays green', async () => {
    const wrong: string[] = [];
    // Two seeds at a time (one per core).
    for (let index = 0; index < SEEDS.length; index += 2) {
      const pair = SEEDS.slice(index, index + 2);
      const matrices = await Promise.all(pair.map(matrixOf));
      matrices.forEach((matrix, at) =>
        wrong.push(...misjudged(matrix).map((why) => `seed ${String(pair[at])}: ${why}`)),
      );
    }
    expect(wrong).toEqual([]);
  }, 3_600_000);
});
