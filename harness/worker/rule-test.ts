import { it as vitestIt, type TestFunction } from 'vitest';
import { leadingRuleIds } from '../contract/rule-catalog.ts';
import { RULE_IDS, type RuleId } from '../contract/rule-ids.ts';

/** The test options that declare what a suite test checks: vitest keeps them in the task's meta. */
export interface CitingOptions {
  readonly meta: { readonly kvsRules: readonly RuleId[]; readonly kvsDriver?: string };
}

/**
 * The one place a suite test's rules are recorded: the options that put them (and, for a test run
 * through one of several drivers, that driver's name) into the test's meta, which the rules
 * reference, the suite index behind `--rule` and the verdicts read.
 */
export function cites(rules: readonly RuleId[], driver?: string): CitingOptions {
  if (rules.length === 0) throw new Error('a suite test cites at least one rule');
  return { meta: { kvsRules: rules, ...(driver === undefined ? {} : { kvsDriver: driver }) } };
}

/**
 * A title whose leading words are rule ids of the catalog, followed by the sentence:
 * `KVS-KEYS-001 KVS-KEYS-002 following nextExclusiveStartKey …`. A word shaped like a rule id that
 * is not one of the catalog makes the type a message instead, so the typecheck fails on it.
 */
export type CitingTitle<T extends string> = T extends `${RuleId} ${infer Rest}`
  ? Rest extends `KVS-${string}`
    ? CitingTitle<Rest> extends Rest
      ? T
      : CitingTitle<Rest>
    : T
  : T extends `${RuleId} ${string}`
    ? T
    : T extends `${infer Word} ${string}`
      ? `${Word} is not a rule id of spec/rules.yaml (a suite test title starts with the rule ids it checks)`
      : 'a suite test title starts with the rule ids it checks, then the sentence';

const CATALOG: ReadonlySet<string> = new Set(RULE_IDS);

/** The rule ids a citing title starts with, each checked against the catalog. */
function citedRuleIds(title: string): RuleId[] {
  const ids = leadingRuleIds(title);
  const unknown = ids.find((id) => !CATALOG.has(id));
  if (ids.length === 0 || unknown !== undefined)
    throw new Error(
      `suite test "${title}": ${unknown === undefined ? 'the title must start with the rule ids it checks' : `${unknown} is not a rule id of spec/rules.yaml`}`,
    );
  return ids as RuleId[];
}

type CitingTest = <const T extends string>(title: T & CitingTitle<T>, fn: TestFunction) => void;

const citing =
  (register: (title: string, options: CitingOptions, fn: TestFunction) => void): CitingTest =>
  (title, fn) =>
    register(title, cites(citedRuleIds(title)), fn);

/**
 * The suites' `it`: vitest's, with the rule ids the title starts with (checked against the catalog
 * by the typecheck) declared in the test's meta through `cites`. `it.runIf(condition)` and
 * `it.skip` as in vitest.
 */
export const it = Object.assign(
  citing((title, options, fn) => vitestIt(title, options, fn)),
  {
    runIf: (condition: boolean): CitingTest =>
      citing((title, options, fn) => vitestIt.runIf(condition)(title, options, fn)),
    skip: citing((title, options, fn) => vitestIt.skip(title, options, fn)),
  },
);
