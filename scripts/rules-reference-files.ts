import { loadContract } from '../harness/contract/load-contract.ts';
import { buildRulesReference, type RulesReference } from '../harness/contract/rules-reference.ts';
import { CLIENT_FAULTS, FAULT_MODES } from '../proof/faults/fault-modes.ts';
import { renderRulesReferenceMarkdown } from '../reports/render-rules-reference.ts';
import { collectSuiteTests } from './collect-suite-tests.ts';

/** The rules reference of this checkout: the shipped contract, the suite tests' rule metadata and the fault modes (server and client). */
export async function currentRulesReference(): Promise<RulesReference> {
  return buildRulesReference(await loadContract(), {
    tests: await collectSuiteTests(),
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
