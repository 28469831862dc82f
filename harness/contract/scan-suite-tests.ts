import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuleId } from './rule-catalog.ts';

/** One test of a suite file, as its title reads in the source. */
export interface SuiteTest {
  /** The suite file, relative to the package (e.g. suites/records.test.ts). */
  readonly file: string;
  /** The title; interpolated parts (`${…}`) are shown as `…`. */
  readonly title: string;
}

const RULE_IDS = /KVS-[A-Z]+-\d{3}/g;
/**
 * A test title: `it(`, `test(`, `it.runIf(cond)(` (the condition may hold calls, one level deep) …
 * followed by a string that starts with a rule id.
 */
const TEST_TITLE =
  /\b(?:it|test)(?:\.\w+(?:\((?:[^()]|\([^()]*\))*\))?)*\(\s*(['"`])(KVS-[A-Z]+-\d{3}\b[\s\S]*?)\1/g;

/**
 * A test made by a suite's helper that takes the rule id apart from the sentence, as
 * `clientTest(driver, 'KVS-CLIENT-001', 'the key iterator …', …)` in suites/client-contract.test.ts.
 */
const HELPER_TITLE = /\bclientTest\(\s*\w+,\s*(['"`])(KVS-[A-Z]+-\d{3})\1,\s*(['"`])([\s\S]*?)\3/g;

/**
 * Reads the test titles of every `*.test.ts` in `suitesDir` without running them and indexes them
 * by the rule ids they cite (suite test titles start with the rule ids they check).
 */
export function scanSuiteTests(suitesDir: string, shownDir = 'suites'): ReadonlyMap<RuleId, SuiteTest[]> {
  const byRule = new Map<RuleId, SuiteTest[]>();
  const files = readdirSync(suitesDir)
    .filter((name) => name.endsWith('.test.ts'))
    .sort();
  for (const name of files) {
    const text = readFileSync(join(suitesDir, name), 'utf8');
    const titles = [
      ...[...text.matchAll(TEST_TITLE)].map((match) => match[2] ?? ''),
      ...[...text.matchAll(HELPER_TITLE)].map((match) => `${match[2] ?? ''} ${match[4] ?? ''}`),
    ];
    for (const raw of titles) {
      const title = raw.replace(/\$\{[^}]*\}/g, '…').replace(/\s+/g, ' ');
      for (const rule of new Set(title.match(RULE_IDS) as RuleId[] | null)) {
        byRule.set(rule, [...(byRule.get(rule) ?? []), { file: `${shownDir}/${name}`, title }]);
      }
    }
  }
  return byRule;
}
