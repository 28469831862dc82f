import { describe, expect, it } from 'vitest';
import type { TestCase, TestModule } from 'vitest/node';
import { VerdictReporter } from '../../runner/verdict-reporter.ts';

/** The parts of vitest's TestCase the reporter reads, for a passed test of `file`. */
const testCase = (id: string, name: string, file: string): TestCase =>
  ({
    id,
    name,
    fullName: name,
    module: { relativeModuleId: file },
    result: () => ({ state: 'passed', errors: undefined }),
    meta: () => ({ kvsRules: ['KVS-RECORD-001'] }),
    diagnostic: () => ({ duration: 1 }),
  }) as unknown as TestCase;

/** The parts of vitest's TestModule the reporter reads: its tests in declared order. */
const testModule = (file: string, tests: readonly TestCase[]): TestModule =>
  ({
    relativeModuleId: file,
    meta: () => ({}),
    errors: () => [],
    children: { allTests: () => tests.values() },
  }) as unknown as TestModule;

describe('VerdictReporter', () => {
  it('lists a file whose concurrent tests ended out of order in the order they are declared', () => {
    const reporter = new VerdictReporter();
    const first = [testCase('a1', 'first', 'a.test.js'), testCase('a2', 'second', 'a.test.js')];
    const [one, two, three] = ['b1', 'b2', 'b3'].map((id) => testCase(id, id, 'b.test.js')) as [
      TestCase,
      TestCase,
      TestCase,
    ];
    for (const test of [...first].reverse()) reporter.onTestCaseResult(test);
    reporter.onTestModuleEnd(testModule('a.test.js', first));
    for (const test of [three, one, two]) reporter.onTestCaseResult(test);
    reporter.onTestModuleEnd(testModule('b.test.js', [one, two, three]));
    expect(reporter.outcomes.map((outcome) => outcome.title)).toEqual(['first', 'second', 'b1', 'b2', 'b3']);
  });
});
