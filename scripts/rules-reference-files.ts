import { fileURLToPath } from 'node:url';
import { loadContract } from '../harness/contract/load-contract.ts';
import { buildRulesReference, type RulesReference } from '../harness/contract/rules-reference.ts';
import { scanSuiteTests } from '../harness/contract/scan-suite-tests.ts';
import { CLIENT_FAULTS, FAULT_MODES } from '../proof/faults/fault-modes.ts';
import { renderRulesReferenceMarkdown } from '../reports/render-rules-reference.ts';

const SUITES_DIR = fileURLToPath(new URL('../suites/', import.meta.url));

/** The rules reference of this checkout: the shipped contract, the suite test titles and the fault modes (server and client). */
export async function currentRulesReference(): Promise<RulesReference> {
  return buildRulesReference(await loadContract(), {
    tests: scanSuiteTests(SUITES_DIR),
    faults: [...FAULT_MODES, ...CLIENT_FAULTS],
  });
}

/** The generated files by path (relative to the package root) with their contents. */
export async function rulesReferenceFiles(): Promise<Record<'docs/rules.md' | 'docs/rules.json', string>> {
  const reference = await currentRulesReference();
  return {
    'docs/rules.md': renderRulesReferenceMarkdown(reference),
    'docs/rules.json': `${JSON.stringify(reference, null, 2)}\n`,
  };
}
