import { RULE_ID_PATTERN } from '../harness/contract/rule-catalog.ts';
import { HarnessError } from '../harness/errors.ts';

/**
 * Refuses a `--rule` value that is no rule of the catalog (`run`, `replay`): a KVSC_USAGE error
 * saying which value, and what is allowed (the ids of its area when the area exists, else the
 * form and the areas).
 */
export function checkRuleFlags(given: readonly string[], catalog: readonly string[]): void {
  const known = new Set(catalog);
  const unknown = given.find((id) => !known.has(id));
  if (unknown === undefined) return;
  const areaOf = (id: string): string | undefined => RULE_ID_PATTERN.exec(id)?.[1];
  const area = areaOf(unknown);
  const ofArea = catalog.filter((id) => area !== undefined && areaOf(id) === area);
  const areas = [...new Set(catalog.map(areaOf))].join(', ');
  const allowed =
    ofArea.length > 0
      ? `a rule of ${area}: ${ofArea.join(', ')}`
      : `a rule id KVS-<AREA>-<NNN> of an area ${areas}`;
  throw new HarnessError(
    'KVSC_USAGE',
    `--rule ${unknown} is not in the catalog (spec/rules.yaml); allowed: ${allowed} (kvs-conformance contract --rules lists every rule)`,
  );
}
