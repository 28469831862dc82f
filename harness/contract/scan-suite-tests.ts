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
/** A test title: `it(`, `test(`, `it.runIf(cond)(` … followed by a string that starts with a rule id. */
const TEST_TITLE = /\b(?:it|test)(?:\.\w+(?:\([^()]*\))?)*\(\s*(['"`])(KVS-[A-Z]+-\d{3}\b[\s\S]*?)\1/g;

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
    for (const match of text.matchAll(TEST_TITLE)) {
      const title = (match[2] ?? '').replace(/\$\{[^}]*\}/g, '…').replace(/\s+/g, ' ');
      for (const rule of new Set(title.match(RULE_IDS) as RuleId[] | null)) {
        byRule.set(rule, [...(byRule.get(rule) ?? []), { file: `${shownDir}/${name}`, title }]);
      }
    }
  }
  return byRule;
}
