import { readFileSync } from 'node:fs';
import type { RuleId } from '../harness/contract/rule-ids.ts';
import { RULES_REFERENCE_JSON_FILE } from '../harness/contract/rules-reference-location.ts';
import type { RulesReference } from '../harness/contract/rules-reference.ts';

/**
 * The suite files holding a test of each rule, as the tests' meta declares them (`cites`): read
 * from the shipped rules reference, docs/rules.json, which `npm run docs:rules` builds by
 * collecting the suites with vitest (a test fails while it is stale). A run reads this index to
 * pick the files it loads, without loading any suite file to find out. Files are named as in
 * the sources (`suites/records.test.ts`).
 */
export function readSuiteIndex(
  file: string = RULES_REFERENCE_JSON_FILE,
): ReadonlyMap<RuleId, readonly string[]> {
  const reference = JSON.parse(readFileSync(file, 'utf8')) as RulesReference;
  return new Map(
    reference.areas.flatMap((area) =>
      area.rules.map((rule) => [rule.id, [...new Set(rule.tests.map((test) => test.file))]] as const),
    ),
  );
}
