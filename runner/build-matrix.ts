import type { RuleId } from '../harness/contract/rule-catalog.ts';
import type { RunResult } from '../harness/results/run-result.ts';
import type { TestOutcome } from '../harness/results/rule-verdict.ts';
import { driverOfTest } from './rule-verdicts.ts';
import type { ConformanceMatrix, MatrixCell, MatrixRow } from '../harness/results/conformance-matrix.ts';
import { applyExpectedDeviations, type ExpectedDeviations } from './expected-deviations.ts';

const NOT_APPLICABLE = /not applicable: (.*)$/;

const cell = (verdict: MatrixCell['verdict'], fields: Partial<MatrixCell> = {}): MatrixCell => ({
  verdict,
  reason: null,
  message: null,
  counterexample: null,
  link: null,
  ...fields,
});

/** Judges one rule from the tests of one driver's column. */
function judgeCell(ruleId: RuleId, tests: readonly TestOutcome[], driverName: string): MatrixCell {
  // A violation recorded while the test went on (no cascade) fails its own rule, as in judgeRules.
  const recorded = (test: TestOutcome) =>
    test.evidence?.violations?.find((violation) => violation.ruleId === ruleId);
  const noted = tests.map(recorded).find(Boolean);
  if (noted) return cell('fail', { message: noted.message.split('\n')[0]?.slice(0, 500) ?? null });
  const citing = tests.filter((test) => test.rules.includes(ruleId) || test.failedRules.includes(ruleId));
  const failed = citing.find(
    (test) =>
      test.state === 'failed' &&
      (test.failedRules.includes(ruleId) ||
        // A bug of the harness's own code is not the driver's failure (as in judgeRules).
        (test.failedRules.length === 0 && test.harnessError === undefined && test.rules.includes(ruleId))),
  );
  if (failed) {
    // The failure's own message when the test's contract failure is this rule's, else the line of
    // the error that names it (`[KVS-…] message`).
    const tag = `[${ruleId}] `;
    const line = (failed.message ?? '').split('\n').find((text) => text.includes(tag));
    const message =
      failed.evidence?.failure?.ruleId === ruleId
        ? failed.evidence.failure.message
        : line?.slice(line.indexOf(tag) + tag.length);
    return cell('fail', {
      message: message?.slice(0, 500) || null,
      counterexample: failed.property?.counterexample ?? null,
    });
  }
  const harnessError = citing.find((test) => test.harnessError !== undefined)?.harnessError;
  if (harnessError !== undefined)
    return cell('skipped', {
      reason: `not checked: an error of the harness, not of the driver (${harnessError})`,
    });
  if (citing.some((test) => test.state === 'passed')) return cell('pass');
  const notApplicable = citing.map((test) => NOT_APPLICABLE.exec(test.title)?.[1]).find(Boolean);
  if (notApplicable) return cell('not-applicable', { reason: notApplicable });
  if (citing.length === 0) {
    if (driverName !== 'http')
      return cell('not-applicable', { reason: 'a wire-level rule: checked through the http driver only' });
    return ruleId.startsWith('KVS-CLIENT-')
      ? cell('not-applicable', { reason: 'a client-side rule: checked through client drivers only' })
      : cell('skipped', { reason: 'no test citing it ran' });
  }
  return cell('skipped', { reason: 'its tests were skipped or failed on another rule first' });
}

/**
 * The matrix of a run with several drivers: one column per driver, from the tests tagged with its
 * name (untagged, wire-level tests belong to http), with the expected deviations applied.
 */
export function buildMatrix(
  result: RunResult,
  deviations: ExpectedDeviations | undefined,
): ConformanceMatrix {
  const byDriver = new Map(result.drivers.map((driver) => [driver.name, [] as TestOutcome[]]));
  for (const outcome of result.outcomes) byDriver.get(driverOfTest(outcome.title))?.push(outcome);
  // A client driver through which no test ran checked nothing: its column is not checked, never
  // "not applicable" (a run that checked nothing never reads green).
  const unchecked = new Set(
    result.drivers
      .filter((driver) => driver.name !== 'http' && (byDriver.get(driver.name)?.length ?? 0) === 0)
      .map((driver) => driver.name),
  );
  const rows: MatrixRow[] = result.verdicts.map((verdict) => {
    const cells: Record<string, MatrixCell> = {};
    for (const driver of result.drivers) {
      const judged =
        verdict.verdict === 'skipped' &&
        (verdict.tests.length === 0 || verdict.reason?.startsWith('not applicable under') === true)
          ? cell('skipped', { reason: verdict.reason ?? null })
          : unchecked.has(driver.name)
            ? cell('skipped', { reason: `not checked: no test ran through ${driver.name}` })
            : judgeCell(verdict.rule.id, byDriver.get(driver.name) ?? [], driver.name);
      cells[driver.name] = applyExpectedDeviations(
        judged,
        deviations?.entries.get(driver.name)?.get(verdict.rule.id),
      );
    }
    return { ruleId: verdict.rule.id, level: verdict.rule.level, rule: verdict.rule.rule, cells };
  });
  const red = rows.reduce(
    (count, row) =>
      count +
      Object.values(row.cells).filter(
        (each) => each.verdict === 'fail' || each.verdict === 'unexpectedly-passing',
      ).length,
    0,
  );
  return {
    targetUrl: result.targetUrl,
    seed: result.seed,
    drivers: result.drivers,
    rows,
    manifest: deviations?.file ?? null,
    red,
    incomplete: [...unchecked].map(
      (name) =>
        `no test ran through ${name}: none of the rules asked (--rule/--suite) has a test through a client driver, or its tests were not collected`,
    ),
  };
}
