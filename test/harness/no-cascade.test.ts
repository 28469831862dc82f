// One header detail never hides other rules (issue #21: a relative Location inside the
// store-creation helper turned 48 rules into "not checked"). A target whose only defect is the
// Location of its 201s fails KVS-SCHEMA-005 and nothing else; every other rule gets its verdict.
import { describe, expect, it } from 'vitest';
import { runAgainstFault } from './run-against-fault.ts';

const TOKEN = 'no-cascade-token';

describe('a header defect fails its own rule only', () => {
  it.concurrent.each(['schema-location-dropped', 'schema-location-wrong-resource'])(
    '%s: KVS-SCHEMA-005 fails, every other rule passes or is not asked for, none is "not checked"',
    async (name) => {
      const { result, report } = await runAgainstFault(name, TOKEN, ['--seed', '3', '--runs', '5']);
      const failed = report.rules.filter((rule) => rule.verdict === 'fail').map((rule) => rule.id);
      expect({ code: result.code, failed, unchecked: report.incomplete }).toEqual({
        code: 1,
        failed: ['KVS-SCHEMA-005'],
        unchecked: [],
      });
      // The rules citing the store-creation helper got their verdicts: every rule asked for passed.
      const notAsked = report.rules.filter((rule) => rule.verdict === 'skipped').length;
      expect(report.totals.pass).toBe(report.totals.rules - 1 - notAsked);
      expect(report.rules.find((rule) => rule.id === 'KVS-SCHEMA-005')?.failures[0]?.message).toMatch(
        /location/i,
      );
      // One count per rule on the console, in the reports' words, adding up to the rules.
      const line = result.stdout.split('\n').find((text) => text.startsWith('kvs-conformance: FAIL')) ?? '';
      expect(line).toContain(
        `kvs-conformance: FAIL — ${report.totals.pass} of ${report.totals.rules} rules passed, 1 failed (1 MUST), `,
      );
      expect(line).not.toContain('not checked');
      const counts = [...line.matchAll(/(?:—|,) (\d+) /g)].map((match) => Number(match[1]));
      expect(counts.reduce((sum, n) => sum + n, 0)).toBe(report.totals.rules);
    },
  );
});
