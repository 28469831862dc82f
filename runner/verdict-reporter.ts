import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { TestOutcome } from '../harness/results/rule-verdict.ts';
import type { RuleId } from '../harness/contract/rule-catalog.ts';
import { CODE_ROOT } from './code-root.ts';
import { harnessErrorOf } from './harness-error.ts';

/** A suite's reason for skipping, as its describe title states it: `(skipped: …)`. */
const SKIP_NOTE = /\(skipped: ([^)]*)\)/;
/** A driver's reason for a test it cannot run, as the test title states it: `[driver] not applicable: …`. */
const DRIVER_NOTE = /\[([^\]\s]+)\] not applicable: (.*)$/;
/** How fast-check and vitest say a test was stopped by a time limit, not judged. */
const INTERRUPTED = /Property interrupted after \d+ tests|Test timed out in \d+ms/;

/**
 * What an error says, with the status and error type of an API error (apify-client's ApifyApiError
 * carries `statusCode`, `type`, `httpMethod` and `path` as fields, not in its message).
 */
function errorLine(error: Record<string, unknown>): string {
  const message = typeof error.message === 'string' ? error.message : '';
  if (typeof error.statusCode !== 'number') return message;
  const name = typeof error.name === 'string' ? error.name : 'Error';
  const type = typeof error.type === 'string' ? ` ${error.type}` : '';
  const request =
    typeof error.httpMethod === 'string' && typeof error.path === 'string'
      ? ` to ${error.httpMethod.toUpperCase()} ${error.path}`
      : '';
  return `${name}: status ${error.statusCode}${type}${request}: ${message}`;
}

/** An error's message with the messages of its causes (fast-check keeps the property's own error as the cause). */
function describeError(error: { message: string; cause?: unknown }): string {
  const cause = error.cause as ({ message?: unknown; cause?: unknown } & Record<string, unknown>) | undefined;
  return typeof cause?.message === 'string'
    ? `${error.message}\nCaused by: ${describeError({ ...cause, message: errorLine(cause) })}`
    : error.message;
}

/** Why a skipped test was skipped: its suite's note, or the driver's reason with the driver's name. */
function skipNote(testCase: TestCase): string | undefined {
  const driver = DRIVER_NOTE.exec(testCase.name);
  return SKIP_NOTE.exec(testCase.fullName)?.[1] ?? (driver ? `${driver[1]}: ${driver[2]}` : undefined);
}

/** A vitest reporter that collects every conformance test's outcome for the rule verdicts. */
export class VerdictReporter implements Reporter {
  readonly outcomes: TestOutcome[] = [];
  /** Errors outside any test (a suite file that failed to load, an unhandled rejection). */
  readonly runErrors: string[] = [];
  /** Requests the suite files sent outside any test (set-up, clean-up of their stores). */
  fileRequests = 0;
  /** Each outcome's vitest test id, to put a file's outcomes in the file's order when it ends. */
  readonly #testIds = new Map<TestOutcome, string>();

  onTestCaseResult(testCase: TestCase): void {
    const result = testCase.result();
    const state = result.state === 'failed' ? 'failed' : result.state === 'passed' ? 'passed' : 'skipped';
    const message = result.errors?.map(describeError).join('\n');
    const evidence = testCase.meta().kvsEvidence;
    // Not a contract failure: a bug of the harness's own code leaves the test's rules unchecked.
    const harnessError =
      state === 'failed' && !evidence?.failure
        ? result.errors?.map((error) => harnessErrorOf(error, CODE_ROOT)).find(Boolean)
        : undefined;
    const outcome: TestOutcome = {
      title: testCase.name,
      file: testCase.module.relativeModuleId,
      rules: testCase.meta().kvsRules ?? [],
      state,
      // A suite's reason in its title, a driver's note, or the note of a test that skipped itself (`skip(note)`).
      skipNote:
        result.state === 'skipped'
          ? (skipNote(testCase) ?? result.note)
          : state === 'skipped'
            ? skipNote(testCase)
            : undefined,
      failedRules: evidence?.failure ? [evidence.failure.ruleId as RuleId] : [],
      interrupted: state === 'failed' && !evidence?.failure && INTERRUPTED.test(message ?? ''),
      ...(harnessError === undefined ? {} : { harnessError }),
      message,
      durationMs: Math.round(testCase.diagnostic()?.duration ?? 0),
      evidence,
      property: evidence?.property,
    };
    this.outcomes.push(outcome);
    this.#testIds.set(outcome, testCase.id);
  }

  onTestModuleEnd(testModule: TestModule): void {
    this.fileRequests += testModule.meta().kvsFileRequests ?? 0;
    // Tests that ran side by side (describe.concurrent) end in any order: the file's outcomes are
    // put in the order its tests are declared, so one seed gives one report.
    const declared = new Map([...testModule.children.allTests()].map((test, index) => [test.id, index]));
    const at = (outcome: TestOutcome): number | undefined => {
      const id = this.#testIds.get(outcome);
      return id === undefined ? undefined : declared.get(id);
    };
    const slots = this.outcomes.flatMap((outcome, index) => (at(outcome) === undefined ? [] : [index]));
    const ordered = slots
      .map((index) => this.outcomes[index] as TestOutcome)
      .sort((a, b) => (at(a) ?? 0) - (at(b) ?? 0));
    slots.forEach((slot, index) => (this.outcomes[slot] = ordered[index] as TestOutcome));
    for (const error of testModule.errors())
      this.runErrors.push(`${testModule.relativeModuleId}: ${error.message}`);
  }

  onTestRunEnd(_modules: unknown, errors: readonly { message: string }[]): void {
    for (const error of errors) this.runErrors.push(error.message);
  }
}
