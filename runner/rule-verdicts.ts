import type { Contract } from '../harness/contract/load-contract.ts';
import type { ProfileSettings } from '../harness/contract/profile-catalog.ts';
import { ruleApplies, type RuleId } from '../harness/contract/rule-catalog.ts';
import type { RuleVerdict, TestOutcome, UnjudgedReason } from '../harness/results/rule-verdict.ts';

const DRIVER_TAG = /\[([^\]\s]+)\]/;
/** A test a driver is not asked, as its title says: `[driver] not applicable: …`. */
const DRIVER_NOT_APPLICABLE = /\[[^\]\s]+\] not applicable: /;

/** The driver a test ran through: its `[name]` tag; untagged tests are wire-level (http). */
export function driverOfTest(title: string): string {
  return DRIVER_TAG.exec(title)?.[1] ?? 'http';
}

/**
 * Judges every rule from the test outcomes: a rule fails when a failure names it (or, for a
 * failure that is not a contract failure nor an error of the harness, when the failing test cites
 * it); passes when every test asked for it ran and passed; otherwise it is skipped (not asked for:
 * profile, filter, shard) or inconclusive (asked for and not fully checked), with the reason.
 * In a shard, a rule no test of the shard cites is left to the other shards.
 */
export function judgeRules(
  contract: Contract,
  settings: ProfileSettings,
  selected: ReadonlySet<RuleId>,
  outcomes: readonly TestOutcome[],
  scope: {
    /** The run is one shard of several. */
    readonly sharded?: boolean;
    /** Rules named by --rule: asked for even where the profile rules them out. */
    readonly requested?: ReadonlySet<string>;
    /** Why the CLIENT rules do not apply to this run (no client driver, or none under test), if so. */
    readonly clientNotApplicable?: string | undefined;
    /** Rules that cannot be checked in this run's target (a run's default store, --run-id), and why. */
    readonly notApplicable?: ReadonlyMap<RuleId, string>;
  } = {},
): RuleVerdict[] {
  return [...contract.rules.values()].map((rule): RuleVerdict => {
    // A violation recorded while the test went on (a header on a usable answer) fails its own rule
    // whatever became of the test: no cascade onto the rules the test cites.
    const recorded = (outcome: TestOutcome): boolean =>
      outcome.evidence?.violations?.some((violation) => violation.ruleId === rule.id) === true;
    const tests = outcomes.filter(
      (outcome) =>
        outcome.rules.includes(rule.id) || outcome.failedRules.includes(rule.id) || recorded(outcome),
    );
    // A test that asked for what the run's target cannot give (--run-id) judged nothing by failing.
    const inapplicable = (outcome: TestOutcome): boolean =>
      outcome.state !== 'passed' && outcome.evidence?.notApplicable !== undefined;
    const failures = tests.filter(
      (outcome) =>
        recorded(outcome) ||
        (outcome.state === 'failed' &&
          !inapplicable(outcome) &&
          (outcome.failedRules.includes(rule.id) ||
            (outcome.failedRules.length === 0 &&
              !outcome.interrupted &&
              outcome.harnessError === undefined &&
              outcome.rules.includes(rule.id)))),
    );
    const make = (
      verdict: RuleVerdict['verdict'],
      reasonKind?: UnjudgedReason,
      reason?: string,
    ): RuleVerdict => ({ rule, verdict, reason, reasonKind, tests, failures });
    if (failures.length > 0) return make('fail');
    if (!ruleApplies(rule, settings)) {
      // Gated off by a profile setting: said as the setting in force, then what the rule needs.
      const gates = Object.entries(rule.when);
      const inForce = gates.map(([name]) => `${name} ${String(settings[name as keyof ProfileSettings])}`);
      const needs = gates.map(([name, values]) => `${name} ∈ {${(values as string[]).join(', ')}}`);
      const why = `not applicable under ${inForce.join(', ')} (it needs ${needs.join(' and ')}${rule.whenWhy === undefined ? '' : `: ${rule.whenWhy}`})`;
      return scope.requested?.has(rule.id)
        ? make('inconclusive', 'not-run', `not checked: asked for by --rule, but it is ${why}`)
        : make('skipped', 'profile', why);
    }
    if (rule.area === 'CLIENT' && scope.clientNotApplicable !== undefined && tests.length === 0)
      return make('skipped', 'profile', scope.clientNotApplicable);
    const notApplicable = scope.notApplicable?.get(rule.id);
    if (notApplicable !== undefined) return make('skipped', 'profile', notApplicable);
    if (!selected.has(rule.id)) return make('skipped', 'filter', 'not selected by --suite/--rule');
    // "A run that did not check everything it was asked to never says PASS": the rule passes only
    // when every test asked for it ran and passed; what kept each other test from judging it is said.
    // A test one driver is not asked (`[driver] not applicable: …`, the matrix's n/a) leaves the
    // rule to the others; alone, it says why the rule was not checked.
    const notAskedOfDriver = (outcome: TestOutcome): boolean =>
      outcome.state === 'skipped' && DRIVER_NOT_APPLICABLE.test(outcome.title);
    const asked = tests.filter((outcome) => !inapplicable(outcome) && !notAskedOfDriver(outcome));
    const unchecked = asked.filter(
      (outcome) =>
        outcome.state === 'failed' ||
        // A test gated off by the profile (`it.runIf(setting)`) says nothing and was not asked for;
        // a suite that skips for want of something the run lacks (a token) says why, and blocks a pass.
        (outcome.state === 'skipped' && (outcome.skipNote !== undefined || !asked.some(passed))),
    );
    const passes = asked.filter(passed);
    if (passes.length > 0 && unchecked.length === 0) return make('pass');
    const reasons = [
      ...new Set(
        tests.flatMap((outcome) => (inapplicable(outcome) ? [outcome.evidence?.notApplicable] : [])),
      ),
    ];
    if (asked.length === 0 && reasons.length > 0)
      return make('skipped', 'profile', `not applicable: ${reasons.join('; ')}`);
    if (tests.length === 0 && scope.sharded) return make('skipped', 'shard', 'checked in another shard');
    const why = whyUnchecked(unchecked.length > 0 ? unchecked : tests.filter(notAskedOfDriver));
    const partly =
      passes.length > 0
        ? `partially checked: ${passes.length} of ${passes.length + unchecked.length} tests passed; `
        : '';
    return make('inconclusive', why.kind, `${partly}${why.text}`);
  });
}

const passed = (outcome: TestOutcome): boolean => outcome.state === 'passed';

/** The setting hint that ends a failure message: `…; if <why>, declare it with --<flag> <value>`. */
const SETTING_HINT = /; (if [^;]*, declare it with --[\w-]+ \S+)$/;

/**
 * Why the tests that did not judge a rule did not: a harness error first (the harness's fault, to
 * be fixed there), then a failure on another rule (the blocking rules named), a time limit, skips.
 */
function whyUnchecked(unchecked: readonly TestOutcome[]): { kind: UnjudgedReason; text: string } {
  const failed = unchecked.filter((outcome) => outcome.state === 'failed');
  const harness = [...new Set(failed.flatMap((outcome) => outcome.harnessError ?? []))];
  if (harness.length > 0)
    return {
      kind: 'harness-error',
      text: `not checked: a test citing it met an error of the harness, not of the target (${harness.join('; ')})`,
    };
  const blocking = failed.filter((outcome) => !outcome.interrupted);
  if (blocking.length > 0) {
    const blockers = [...new Set(blocking.flatMap((outcome) => outcome.failedRules))];
    // A blocking failure a profile setting would declare away says which: so does every rule it blocks.
    const hints = [
      ...new Set(
        blocking.flatMap((outcome) => SETTING_HINT.exec(outcome.evidence?.failure?.message ?? '')?.[1] ?? []),
      ),
    ];
    return {
      kind: 'blocked',
      text: `not checked: a test citing it failed on ${blockers.join(', ') || 'another error'} first${hints.map((hint) => `; ${hint}`).join('')}`,
    };
  }
  if (failed.length > 0)
    return {
      kind: 'not-run',
      text: 'not checked: its test was stopped by the time limit before it finished (fewer --runs, or a faster target)',
    };
  const notes = [...new Set(unchecked.flatMap((outcome) => (outcome.skipNote ? [outcome.skipNote] : [])))];
  // A suite that skips a test says why (`(skipped: …)`): that reason is the rule's, word for word.
  const unexplained = unchecked.some((outcome) => outcome.skipNote === undefined);
  return {
    kind: 'not-run',
    text:
      unchecked.length === 0
        ? 'not checked: no test citing it ran'
        : notes.length > 0 && !unexplained
          ? `not checked: ${notes.join('; ')}`
          : `not checked: its tests were skipped${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`,
  };
}
