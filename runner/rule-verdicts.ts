import type { Contract } from '../harness/contract/load-contract.ts';
import type { ProfileSettings } from '../harness/contract/profile-catalog.ts';
import { ruleApplies, type RuleId } from '../harness/contract/rule-catalog.ts';
import type { RuleVerdict, TestOutcome, UnjudgedReason } from '../harness/results/rule-verdict.ts';

const DRIVER_TAG = /\[([^\]\s]+)\]/;

/** The driver a test ran through: its `[name]` tag; untagged tests are wire-level (http). */
export function driverOfTest(title: string): string {
  return DRIVER_TAG.exec(title)?.[1] ?? 'http';
}

/**
 * Judges every rule from the test outcomes: a rule fails when a failure names it (or, for a
 * failure that is not a contract failure, when the failing test cites it); passes when a test
 * citing it passed and none failed; otherwise it is skipped or inconclusive, with the reason.
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
            (outcome.failedRules.length === 0 && !outcome.interrupted && outcome.rules.includes(rule.id)))),
    );
    const make = (
      verdict: RuleVerdict['verdict'],
      reasonKind?: UnjudgedReason,
      reason?: string,
    ): RuleVerdict => ({ rule, verdict, reason, reasonKind, tests, failures });
    if (failures.length > 0) return make('fail');
    if (!ruleApplies(rule, settings)) {
      const conditions = Object.entries(rule.when).map(
        ([name, values]) => `${name} ∈ {${(values as string[]).join(', ')}}`,
      );
      const why = `does not apply under this profile (needs ${conditions.join(' and ')})`;
      return scope.requested?.has(rule.id)
        ? make('skipped', 'not-run', `not checked: asked for by --rule, but it ${why}`)
        : make('skipped', 'profile', why);
    }
    if (rule.area === 'CLIENT' && scope.clientNotApplicable !== undefined && tests.length === 0)
      return make('skipped', 'profile', scope.clientNotApplicable);
    const notApplicable = scope.notApplicable?.get(rule.id);
    if (notApplicable !== undefined) return make('skipped', 'profile', notApplicable);
    if (!selected.has(rule.id)) return make('skipped', 'filter', 'not selected by --suite/--rule');
    if (tests.some((outcome) => outcome.state === 'passed')) return make('pass');
    const reasons = [
      ...new Set(
        tests.flatMap((outcome) => (inapplicable(outcome) ? [outcome.evidence?.notApplicable] : [])),
      ),
    ];
    if (reasons.length > 0) return make('skipped', 'profile', `not applicable: ${reasons.join('; ')}`);
    if (tests.some((outcome) => outcome.state === 'failed' && !outcome.interrupted)) {
      const blockers = [...new Set(tests.flatMap((outcome) => outcome.failedRules))];
      return make(
        'inconclusive',
        'blocked',
        `not checked: a test citing it failed on ${blockers.join(', ') || 'another error'} first`,
      );
    }
    if (tests.length === 0 && scope.sharded) return make('skipped', 'shard', 'checked in another shard');
    if (tests.some((outcome) => outcome.interrupted))
      return make(
        'skipped',
        'not-run',
        'not checked: its test was stopped by the time limit before it finished (fewer --runs, or a faster target)',
      );
    const notes = [...new Set(tests.flatMap((outcome) => (outcome.skipNote ? [outcome.skipNote] : [])))];
    // A suite that skips a test says why (`(skipped: …)`): that reason is the rule's, word for word.
    const unexplained = tests.some((outcome) => outcome.skipNote === undefined);
    return make(
      'skipped',
      'not-run',
      tests.length === 0
        ? 'not checked: no test citing it ran'
        : notes.length > 0 && !unexplained
          ? `not checked: ${notes.join('; ')}`
          : `not checked: its tests were skipped${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`,
    );
  });
}
