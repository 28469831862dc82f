// The hostile-target table (issue 12): the CLI against misbehaving HTTP servers on 127.0.0.1.
// Each case asserts the exit code by its documented meaning (0 pass, 1 a rule failed, 2 tool
// error), every report file written once the run got past the preflight, the token in none of
// the bytes of stdout, stderr or any file (raw, URL-encoded, base64, hex), and what cleanup left
// reported. Wall time and peak memory per case are measured by bench/hostile-targets.ts.
import { describe, expect, it, vi } from 'vitest';
import { REPORT_FILE_NAMES, type HostileCase } from '../../proof/hostile/hostile-case.ts';
import { HOSTILE_CASES } from '../../proof/hostile/hostile-cases.ts';
import { runHostileCase } from '../../proof/hostile/run-hostile-case.ts';
import { tokenHits } from '../../proof/hostile/token-hits.ts';

// Three CLI runs at a time: a case waits on timeouts, but its CLI run also takes seconds of CPU.
vi.setConfig({ maxConcurrency: 3 });

/**
 * The cases that wait longest (apify-client retries each timed-out request with backoff: about a
 * minute each), started first so that the table does not end waiting on them alone.
 */
const LONGEST_CASES = ['drip, apify-client', 'hang, apify-client', 'gzip bomb, apify-client'];

/** The table with LONGEST_CASES first (the rest in their order). */
function longestFirst(cases: readonly HostileCase[]): HostileCase[] {
  for (const name of LONGEST_CASES)
    if (!cases.some((testCase) => testCase.name === name))
      throw new Error(`test bug: no hostile case named ${name}`);
  const rank = (testCase: HostileCase): number => {
    const index = LONGEST_CASES.indexOf(testCase.name);
    return index === -1 ? LONGEST_CASES.length : index;
  };
  return [...cases].sort((a, b) => rank(a) - rank(b));
}

describe('hostile targets: bounded, redacted, crash-free', () => {
  it('the table holds at least 30 behaviours', () => {
    expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.concurrent.each(longestFirst(HOSTILE_CASES).map((testCase) => [testCase.name, testCase] as const))(
    '%s',
    async (_name, testCase) => {
      const { run, env, token } = await runHostileCase(testCase);
      const output = `${run.stdout.toString()}${run.stderr.toString()}`;
      const context = `${testCase.what}\n--- output ---\n${output.slice(-3000)}`;
      expect(run.exit, context).toBe(testCase.exit);
      expect(output, context).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
      if (testCase.says) expect(output, context).toMatch(testCase.says);
      if (testCase.pastPreflight) {
        for (const name of REPORT_FILE_NAMES) expect(run.files.has(name), `${name}\n${context}`).toBe(true);
        expect(run.files.has('github-step-summary.md'), context).toBe(true);
      } else {
        expect(run.files.has('report.json'), context).toBe(false);
        expect(run.stderr.toString().trim().split('\n'), context).toHaveLength(1);
      }
      if (testCase.reported) {
        expect(run.stdout.toString(), context).toContain(testCase.reported);
        for (const name of REPORT_FILE_NAMES)
          expect(run.files.get(name)?.toString(), name).toContain(testCase.reported);
      }
      const report = run.files.get('report.json');
      const left = report
        ? ((JSON.parse(report.toString()) as { cleanup?: { left: { id: string }[] } }).cleanup?.left ?? [])
        : [];
      for (const store of left) expect(run.stdout.toString(), context).toContain(store.id);
      const outputs = new Map([
        ['stdout', run.stdout],
        ['stderr', run.stderr],
        ...[...run.files].map(([name, bytes]) => [name, bytes] as const),
      ]);
      expect(tokenHits(token, outputs), context).toEqual([]);
      expect(testCase.check?.(run, env), context).toBeUndefined();
    },
    240_000,
  );
});
