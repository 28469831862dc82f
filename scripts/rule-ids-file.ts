import { loadContract } from '../harness/contract/load-contract.ts';

/** Where the generated union of rule ids lives (relative to the package root). */
export const RULE_IDS_FILE = 'harness/contract/rule-ids.ts';

/**
 * The text of harness/contract/rule-ids.ts: every rule id of spec/rules.yaml (read and checked by
 * the catalog loader), in catalog order, and `RuleId` as their union, so a mistyped id fails the
 * typecheck.
 */
export async function ruleIdsFile(): Promise<string> {
  const ids = [...(await loadContract()).rules.keys()];
  return [
    '// Generated from spec/rules.yaml by `npm run docs:rules` (scripts/rule-ids-file.ts): do not edit.',
    '',
    '/** Every rule id of the catalog (spec/rules.yaml), in catalog order. */',
    'export const RULE_IDS = [',
    ...ids.map((id) => `  '${id}',`),
    '] as const;',
    '',
    '/** A rule id of the catalog: `KVS-<AREA>-<NNN>`, one of RULE_IDS. */',
    'export type RuleId = (typeof RULE_IDS)[number];',
    '',
  ].join('\n');
}
