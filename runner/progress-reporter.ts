import type { RunnerTask, RunnerTestFile } from 'vitest';
import { DefaultReporter, experimental_getRunnerTask, type TestModule } from 'vitest/node';
import type { RuleId } from '../harness/contract/rule-catalog.ts';
import type { ExpectedFailure } from './expected-failures.ts';
import { driverOfTest } from './rule-verdicts.ts';

/**
 * Whether a failed test failed only as declared (`--expect-fail`, a deviation manifest): its
 * contract failure and every violation it recorded are on declared rules, through a declared driver.
 * A test that failed without a contract failure (an error of its own) never is.
 */
export function failedAsDeclared(
  task: Pick<RunnerTask, 'name' | 'meta'>,
  expected: ReadonlyMap<RuleId, ExpectedFailure>,
): boolean {
  const evidence = task.meta.kvsEvidence;
  if (!evidence?.failure) return false;
  const driver = driverOfTest(task.name);
  return [evidence.failure, ...(evidence.violations ?? [])].every((failure) => {
    const expectation = expected.get(failure.ruleId as RuleId);
    return expectation !== undefined && (expectation.drivers === 'any' || expectation.drivers.has(driver));
  });
}

/**
 * vitest's default progress output, telling the truth about declared failures: a test that failed
 * only as declared is shown and counted as vitest shows its own expected failures (`test.fails`:
 * "expected fail", not in the "Failed Tests" block), as the run's verdict counts it; every other
 * failure is printed as vitest prints it.
 */
export class ProgressReporter extends DefaultReporter {
  readonly #expected: ReadonlyMap<RuleId, ExpectedFailure>;

  constructor(expected: ReadonlyMap<RuleId, ExpectedFailure>) {
    super();
    this.#expected = expected;
  }

  protected override printTestModule(testModule: TestModule): void {
    this.#asDeclared([experimental_getRunnerTask(testModule)], () => super.printTestModule(testModule));
  }

  override reportSummary(files: RunnerTestFile[], errors: unknown[]): void {
    this.#asDeclared(files, () => super.reportSummary(files, errors));
  }

  /**
   * Runs `print` with each declared failure under `roots` marked as vitest marks a `fails` test
   * that failed (passed, `fails`), and each suite or file failing only through them as passed; puts
   * the tasks back afterwards (the run's verdicts read them unchanged).
   */
  #asDeclared(roots: readonly RunnerTask[], print: () => void): void {
    if (this.#expected.size === 0) {
      print();
      return;
    }
    const restores: (() => void)[] = [];
    const settle = (task: RunnerTask): boolean => {
      const result = task.result;
      if (task.type !== 'test') {
        const childrenFail = task.tasks.map(settle).some((failing) => failing);
        if (result?.state !== 'fail') return childrenFail;
        if (childrenFail || (result.errors?.length ?? 0) > 0) return true;
        restores.push(() => (result.state = 'fail'));
        result.state = 'pass';
        return false;
      }
      if (result?.state !== 'fail') return false;
      if (!failedAsDeclared(task, this.#expected)) return true;
      const fails = task.fails;
      restores.push(() => {
        result.state = 'fail';
        if (fails === undefined) delete task.fails;
        else task.fails = fails;
      });
      result.state = 'pass';
      task.fails = true;
      return false;
    };
    try {
      for (const root of roots) settle(root);
      print();
    } finally {
      for (const restore of restores.reverse()) restore();
    }
  }
}
