// The matrix and its expected-deviation manifest (strict xfail): an expected failure stays green,
// a new failure turns red, a fixed deviation shows as unexpectedly passing (red); malformed
// manifests and unknown drivers are one-line errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContract, HarnessError, resolveDriverSpec } from '../../harness/index.ts';
import { buildMatrix } from '../../runner/build-matrix.ts';
import { renderMatrixMarkdown } from '../../reports/render-matrix-markdown.ts';
import { loadExpectedDeviations } from '../../runner/expected-deviations.ts';
import type { TestOutcome } from '../../harness/results/rule-verdict.ts';
import { judgeRules } from '../../runner/rule-verdicts.ts';
import type { RunResult } from '../../harness/results/run-result.ts';
import type { RuleId } from '../../harness/contract/rule-catalog.ts';
import { apifyClientVersionDriver } from '../../harness/drivers/apify-client-version-driver.ts';
import { leadingRuleIds } from '../../harness/contract/rule-catalog.ts';

const contract = await loadContract();
const settings = Object.fromEntries(
  [...contract.profiles.settings.entries()].map(([name, definition]) => [name, definition.default]),
) as never;

const outcome = (title: string, state: TestOutcome['state'], failedRule?: RuleId): TestOutcome => ({
  title,
  file: 'suites/client-families.test.ts',
  rules: leadingRuleIds(title) as RuleId[],
  state,
  skipNote: undefined,
  failedRules: failedRule ? [failedRule] : [],
  message: failedRule ? `[${failedRule}] it broke` : undefined,
  durationMs: 1,
  evidence: undefined,
  property: undefined,
});

/** A run through http and one client driver `lib` with the given outcomes. */
function runWith(outcomes: TestOutcome[]): RunResult {
  const selected = new Set(outcomes.flatMap((each) => each.rules));
  return {
    targetUrl: 'http://127.0.0.1:1',
    settings,
    seed: 1,
    runs: 1,
    storePrefix: 'kvsc-test-',
    drivers: [
      { name: 'http', package: 'kvs-conformance', version: '0.1.0', transport: 'http' },
      { name: 'lib', package: 'lib', version: '1.0.0', transport: 'in-process' },
    ],
    startedAt: new Date(0),
    durationMs: 1,
    verdicts: judgeRules(contract, settings, selected, outcomes),
    outcomes,
    runErrors: [],
    cleanup: { created: 0, deleted: 0, left: [], problems: [] },
    interrupted: false,
  };
}

function manifest(yaml: string): ReturnType<typeof loadExpectedDeviations> {
  const file = join(mkdtempSync(join(tmpdir(), 'kvsc-manifest-')), 'expected.yaml');
  writeFileSync(file, yaml);
  return loadExpectedDeviations(file);
}

const KNOWN = `drivers:
  lib:
    - rule: KVS-KEYS-005
      reason: the last page leaves nextExclusiveStartKey out
      link: docs/findings/storage-emulators-cursor.md
`;

describe('the matrix with an expected-deviation manifest', () => {
  const failing = outcome('KVS-KEYS-005 [lib] last page', 'failed', 'KVS-KEYS-005');
  const passingHttp = outcome('KVS-KEYS-005 [http] last page', 'passed');

  it('an expected failure is an expected-fail cell and the matrix stays green', () => {
    const matrix = buildMatrix(runWith([passingHttp, failing]), manifest(KNOWN));
    const row = matrix.rows.find((each) => each.ruleId === 'KVS-KEYS-005');
    expect(row?.cells.lib?.verdict).toBe('expected-fail');
    expect(row?.cells.lib?.link).toBe('docs/findings/storage-emulators-cursor.md');
    expect(row?.cells.http?.verdict).toBe('pass');
    expect(matrix.red).toBe(0);
  });

  it('a failure the manifest does not list turns the matrix red', () => {
    const matrix = buildMatrix(runWith([passingHttp, failing]), manifest('drivers: {}\n'));
    expect(matrix.rows.find((each) => each.ruleId === 'KVS-KEYS-005')?.cells.lib?.verdict).toBe('fail');
    expect(matrix.red).toBe(1);
  });

  it('a listed deviation that passes is unexpectedly passing and turns the matrix red', () => {
    const fixed = outcome('KVS-KEYS-005 [lib] last page', 'passed');
    const matrix = buildMatrix(runWith([passingHttp, fixed]), manifest(KNOWN));
    const cell = matrix.rows.find((each) => each.ruleId === 'KVS-KEYS-005')?.cells.lib;
    expect(cell?.verdict).toBe('unexpectedly-passing');
    expect(cell?.reason).toMatch(/remove the entry/);
    expect(matrix.red).toBe(1);
  });

  it('a rule the driver cannot express is not applicable with its reason, never a pass', () => {
    const skipped = outcome('KVS-KEYS-007 [lib] not applicable: listKeys takes no prefix', 'skipped');
    const matrix = buildMatrix(
      runWith([outcome('KVS-KEYS-007 [http] prefix', 'passed'), skipped]),
      undefined,
    );
    const row = matrix.rows.find((each) => each.ruleId === 'KVS-KEYS-007');
    expect(row?.cells.lib).toMatchObject({ verdict: 'not-applicable', reason: 'listKeys takes no prefix' });
    // A wire-level rule no client test cites is not applicable to the client column.
    const wire = buildMatrix(
      runWith([
        outcome('KVS-SCHEMA-001 status', 'passed'),
        outcome('KVS-KEYS-005 [lib] last page', 'passed'),
      ]),
      undefined,
    );
    expect(wire.rows.find((each) => each.ruleId === 'KVS-SCHEMA-001')?.cells.lib?.verdict).toBe(
      'not-applicable',
    );
    expect(wire.incomplete).toEqual([]);
  });

  it('a client driver through which no test ran checked nothing: its cells are not checked and the matrix is incomplete, never green', () => {
    const matrix = buildMatrix(runWith([passingHttp, outcome('KVS-SCHEMA-001 status', 'passed')]), undefined);
    for (const ruleId of ['KVS-KEYS-005', 'KVS-SCHEMA-001'])
      expect(matrix.rows.find((each) => each.ruleId === ruleId)?.cells.lib).toMatchObject({
        verdict: 'skipped',
        reason: 'not checked: no test ran through lib',
      });
    expect(matrix.rows.find((each) => each.ruleId === 'KVS-KEYS-005')?.cells.http?.verdict).toBe('pass');
    expect(matrix.red).toBe(0);
    expect(matrix.incomplete).toEqual([expect.stringMatching(/^no test ran through lib: /)]);
    expect(renderMatrixMarkdown(matrix)).toMatch(
      /^## kvs-conformance matrix — INCOMPLETE\n\nNot checked: no test ran through lib/,
    );
  });

  it('a malformed manifest is a one-line error naming the file and the entry', () => {
    expect(() => manifest('drivers:\n  lib:\n    - rule: KEYS-5\n      reason: x\n      link: y\n')).toThrow(
      /expected\.yaml: drivers\.lib\[0\] has rule "KEYS-5"; allowed: a rule id/,
    );
    expect(() => manifest('drivers:\n  lib:\n    - rule: KVS-KEYS-005\n      reason: x\n')).toThrow(
      /needs a link/,
    );
    expect(() => manifest('rules: []\n')).toThrow(/has no `drivers:` map/);
  });
});

describe('driver names', () => {
  it('an unknown driver and an apify-client version that is not installed are one-line errors', () => {
    expect(() => resolveDriverSpec('no-such-driver', tmpdir())).toThrow(HarnessError);
    expect(() => resolveDriverSpec('no-such-driver', tmpdir())).toThrow(
      /is unknown; allowed: a built-in driver/,
    );
    expect(() => resolveDriverSpec('./missing.ts', tmpdir())).toThrow(/no such file/);
    expect(() => apifyClientVersionDriver('9.9.9', tmpdir())).toThrow(
      /apify-client-9\.9\.9 is not installed; install it with npm i -D apify-client-9\.9\.9@npm:apify-client@9\.9\.9/,
    );
  });

  it('an aliased apify-client resolves to its own version', async () => {
    const driver = await apifyClientVersionDriver(
      '2.12.0',
      undefined,
    )({
      targetUrl: 'http://127.0.0.1:1',
      token: undefined,
      timeoutMs: 1000,
      maxResponseBytes: 1024,
      workDir: tmpdir(),
      maxRetries: 0,
    });
    expect(driver.info).toEqual({
      name: 'apify-client@2.12.0',
      package: 'apify-client',
      version: '2.12.0',
      transport: 'http',
    });
    expect(driver.unsupported?.keyIterator).toMatch(/no key iterator/);
  });
});

describe('the matrix and a bug of the harness', () => {
  it("a TypeError in the harness's own code is no driver's failure: the cell is not checked, naming it", () => {
    const bug = {
      ...outcome('KVS-KEYS-005 [lib] last page', 'failed'),
      harnessError:
        "TypeError: Cannot read properties of undefined (reading 'items') at harness/drivers/x.ts:3",
    };
    const matrix = buildMatrix(runWith([outcome('KVS-KEYS-005 [http] last page', 'passed'), bug]), undefined);
    const cell = matrix.rows.find((row) => row.ruleId === 'KVS-KEYS-005')?.cells.lib;
    expect(cell).toMatchObject({ verdict: 'skipped' });
    expect(cell?.reason).toContain('an error of the harness, not of the driver (TypeError');
  });
});
