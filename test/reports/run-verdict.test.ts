// The run's verdict is the same word everywhere and never PASS for a run that did not check
// everything it was asked to (issue: "PASS that is not a pass").
import { describe, expect, it } from 'vitest';
import { loadContract, resolveProfileSettings, type RuleId, type TestOutcome } from '../../harness/index.ts';
import { applyExpectedFailures, expectedFailuresOf } from '../../runner/expected-failures.ts';
import { judgeRules } from '../../runner/rule-verdicts.ts';
import {
  buildReport,
  mergeReports,
  renderConsoleSummary,
  renderJunitReport,
  renderMarkdownSummary,
  type ConformanceReport,
} from '../../reports/index.ts';
import { exitCodeFor } from '../../cli/exit-codes.ts';
import { leadingRuleIds } from '../../harness/contract/rule-catalog.ts';

const contract = await loadContract();
const strong = resolveProfileSettings(contract.profiles, {});

function outcome(title: string, state: TestOutcome['state'], failedRules: RuleId[] = []): TestOutcome {
  const rules = leadingRuleIds(title) as RuleId[];
  return {
    title,
    file: 'suites/x.test.ts',
    rules,
    state,
    skipNote: state === 'skipped' ? 'the run has no token' : undefined,
    failedRules,
    message: undefined,
    durationMs: 1,
    evidence: undefined,
    property: undefined,
  };
}

function report(
  selectedIds: RuleId[],
  outcomes: TestOutcome[],
  extra: {
    interrupted?: boolean;
    runErrors?: string[];
    requested?: RuleId[];
    shard?: 1 | 2;
    clientNotApplicable?: string;
    expectFail?: RuleId[];
    manifest?: { driver: string; rule: RuleId };
  } = {},
): ConformanceReport {
  const judged = judgeRules(contract, strong, new Set(selectedIds), outcomes, {
    sharded: extra.shard !== undefined,
    requested: new Set(extra.requested ?? []),
    clientNotApplicable: extra.clientNotApplicable,
  });
  const manifest = extra.manifest;
  const manifests = manifest
    ? [
        {
          file: 'deviations.yaml',
          entries: new Map([
            [
              manifest.driver,
              new Map([
                [
                  manifest.rule,
                  { rule: manifest.rule, reason: 'a known gap', link: 'x.md', counterexample: undefined },
                ],
              ]),
            ],
          ]),
        },
      ]
    : [];
  const verdicts = applyExpectedFailures(
    judged,
    expectedFailuresOf(extra.expectFail ?? [], manifests, ['http', 'apify-client']),
  );
  return buildReport({
    contract,
    result: {
      targetUrl: 'http://127.0.0.1:1',
      settings: strong,
      seed: 1,
      runs: 1,
      storePrefix: 'p-',
      drivers: [],
      startedAt: new Date(0),
      durationMs: 1,
      verdicts,
      outcomes,
      runErrors: extra.runErrors ?? [],
      cleanup: { created: 0, deleted: 0, left: [], problems: [] },
      interrupted: extra.interrupted ?? false,
    },
    harnessVersion: '0.0.0',
    preset: undefined,
    shard: extra.shard ? { index: extra.shard, count: 2 } : undefined,
    embedded: false,
    reportPath: 'report.json',
    rulesReference: { url: 'https://example.test/docs/rules.md', file: 'docs/rules.md' },
    redact: (text) => text,
  });
}

const MUST = 'KVS-KEYS-005' as RuleId; // level MUST in spec/rules.yaml
const SHOULD = [...contract.rules.values()].find((rule) => rule.level === 'SHOULD' && !rule.when.consistency)
  ?.id as RuleId;

describe('run verdict', () => {
  it('PASS when every selected rule was checked and passed', () => {
    const r = report([MUST], [outcome(`${MUST} t`, 'passed')]);
    expect([r.verdict, r.incomplete]).toEqual(['PASS', []]);
  });

  it('PASS WITH WARNINGS when only a SHOULD rule failed; exit 0, or 1 with --strict', () => {
    const r = report(
      [MUST, SHOULD],
      [outcome(`${MUST} t`, 'passed'), outcome(`${SHOULD} t`, 'failed', [SHOULD])],
    );
    expect(r.verdict).toBe('PASS WITH WARNINGS');
    expect([exitCodeFor(r.verdict, false), exitCodeFor(r.verdict, true)]).toEqual([0, 1]);
  });

  it('FAIL when a MUST rule failed, even if the run was also interrupted', () => {
    const r = report([MUST], [outcome(`${MUST} t`, 'failed', [MUST])], { interrupted: true });
    expect(r.verdict).toBe('FAIL');
    expect(r.incomplete).toContain('the run was interrupted');
    expect(exitCodeFor(r.verdict, false)).toBe(1);
  });

  it('INCOMPLETE when interrupted, with exit 2, in every format', () => {
    const r = report([MUST], [outcome(`${MUST} t`, 'passed')], { interrupted: true });
    expect(r.verdict).toBe('INCOMPLETE');
    expect(exitCodeFor(r.verdict, false)).toBe(2);
  });

  it('INCOMPLETE when a selected rule ran no test (a filter that runs nothing)', () => {
    const r = report([MUST], []);
    expect(r.verdict).toBe('INCOMPLETE');
    expect(r.incomplete).toEqual([`${MUST} (MUST): not checked: no test citing it ran`]);
  });

  it('INCOMPLETE when the tests of a rule were skipped for want of a token, naming the reason', () => {
    const r = report(['KVS-AUTH-001'], [outcome('KVS-AUTH-001 t', 'skipped')]);
    expect(r.verdict).toBe('INCOMPLETE');
    expect(r.incomplete[0]).toContain('the run has no token');
  });

  it('INCOMPLETE, not FAIL, when a property was stopped by its time limit before it judged its rule', () => {
    const stopped = { ...outcome(`${MUST} t`, 'failed'), interrupted: true };
    const r = report([MUST], [stopped]);
    expect(r.verdict).toBe('INCOMPLETE');
    expect(r.rules.find((rule) => rule.id === MUST)).toMatchObject({
      verdict: 'inconclusive',
      reasonKind: 'not-run',
    });
  });

  it('INCOMPLETE when a rule named by --rule does not apply under the profile', () => {
    const r = report([], [], { requested: ['KVS-CONS-003'] });
    expect(r.verdict).toBe('INCOMPLETE');
    expect(r.incomplete[0]).toContain('asked for by --rule');
  });

  it('INCOMPLETE when the only test of a rule failed on another (SHOULD) rule first', () => {
    const r = report([MUST, SHOULD], [outcome(`${MUST} ${SHOULD} t`, 'failed', [SHOULD])]);
    expect(r.verdict).toBe('INCOMPLETE');
    expect(r.rules.find((rule) => rule.id === MUST)).toMatchObject({
      verdict: 'inconclusive',
      reasonKind: 'blocked',
    });
  });

  it('a shard leaves to the others the rules it has no test for; the merge finds any no shard checked', () => {
    const other = 'KVS-KEYS-001' as RuleId;
    const one = report([MUST, other], [outcome(`${MUST} t`, 'passed')], { shard: 1 });
    const two = report([MUST, other], [], { shard: 2 });
    expect(one.verdict).toBe('PASS');
    expect(mergeReports([one, two], 'merged/report.json')).toMatchObject({ verdict: 'INCOMPLETE' });
    const twoChecked = report([MUST, other], [outcome(`${other} t`, 'passed')], { shard: 2 });
    expect(mergeReports([one, twoChecked], 'merged/report.json').verdict).toBe('PASS');
  });

  it('the CLIENT rules of a run without a client driver are not applicable (never "not selected by --suite/--rule")', () => {
    const why = 'not applicable: no client driver in this run (give one with --driver)';
    const r = report([MUST], [outcome(`${MUST} t`, 'passed')], { clientNotApplicable: why });
    expect(r.verdict).toBe('PASS');
    expect(r.rules.find((rule) => rule.id === 'KVS-CLIENT-005')).toMatchObject({
      verdict: 'skipped',
      reason: why,
    });
  });

  it("a client rule the driver cannot be asked makes the run INCOMPLETE with the driver's reason", () => {
    const client = 'KVS-CLIENT-005' as RuleId;
    const skipped = {
      ...outcome(`${client} [mine] not applicable: the driver has no getRecordValue`, 'skipped'),
      skipNote: 'mine: the driver has no getRecordValue',
    };
    const r = report([client], [skipped]);
    expect(r.verdict).toBe('INCOMPLETE');
    expect(r.incomplete[0]).toContain('not checked: mine: the driver has no getRecordValue');
  });
});

describe('declared failures (--expect-fail, --deviations)', () => {
  it('PASS WITH EXPECTED DEVIATIONS when every failure was declared; exit 0; shown in every format', () => {
    const r = report([MUST], [outcome(`${MUST} t`, 'failed', [MUST])], { expectFail: [MUST] });
    expect(r.rules.find((rule) => rule.id === MUST)).toMatchObject({
      verdict: 'expected-fail',
      expectation: { from: '--expect-fail' },
    });
    expect([r.verdict, r.totals.expectedFail, exitCodeFor(r.verdict, true)]).toEqual([
      'PASS WITH EXPECTED DEVIATIONS',
      1,
      0,
    ]);
    for (const text of [renderConsoleSummary(r, 'r.html'), renderMarkdownSummary(r)])
      expect(text).toContain('PASS WITH EXPECTED DEVIATIONS');
    expect(renderConsoleSummary(r, 'r.html')).toContain(`~ ${MUST} (MUST) expected to fail (--expect-fail)`);
    expect(renderJunitReport(r)).toMatch(/<skipped message="expected-fail: expected to fail/);
  });

  it('FAIL with the rule unexpectedly passing when a declared failure passes', () => {
    const r = report([MUST], [outcome(`${MUST} t`, 'passed')], { expectFail: [MUST] });
    expect(r.rules.find((rule) => rule.id === MUST)?.verdict).toBe('unexpectedly-passing');
    expect([r.verdict, exitCodeFor(r.verdict, false)]).toEqual(['FAIL', 1]);
    expect(renderConsoleSummary(r, 'r.html')).toContain(`✗ ${MUST} (MUST) unexpectedly passing`);
    expect(renderJunitReport(r)).toContain('failures="1"');
  });

  it('a manifest entry covers only its driver: a failure through another driver stays a failure', () => {
    const client = 'KVS-CLIENT-005' as RuleId;
    const viaClient = outcome(`${client} [apify-client] t`, 'failed', [client]);
    const viaHttp = outcome(`${client} [http] t`, 'passed');
    const declared = report([client], [viaClient, viaHttp], {
      manifest: { driver: 'apify-client', rule: client },
    });
    expect(declared.rules.find((rule) => rule.id === client)).toMatchObject({
      verdict: 'expected-fail',
      expectation: { from: 'deviations.yaml: apify-client', reason: 'a known gap' },
    });
    const otherDriver = report([client], [viaClient, viaHttp], {
      manifest: { driver: 'http', rule: client },
    });
    expect(otherDriver.rules.find((rule) => rule.id === client)?.verdict).toBe('fail');
    expect(otherDriver.verdict).toBe('FAIL');
  });

  it('a declared rule that was not checked keeps its verdict (neither expected-fail nor passing)', () => {
    const r = report([MUST], [], { expectFail: [MUST] });
    expect(r.rules.find((rule) => rule.id === MUST)?.verdict).toBe('inconclusive');
    expect(r.verdict).toBe('INCOMPLETE');
  });
});

describe('no cascades: a violation recorded on a usable answer fails only its own rule', () => {
  const SCHEMA_005 = 'KVS-SCHEMA-005' as RuleId;
  const recordedOn = (title: string, state: TestOutcome['state'], ruleId: RuleId): TestOutcome => ({
    ...outcome(title, state),
    evidence: {
      coverage: [],
      observations: [],
      watches: [],
      violations: [
        {
          ruleId,
          operationId: 'keyValueStores_post',
          message: 'POST /v2/key-value-stores 201 has Location "/v2/key-value-stores": …',
          evidence: {},
          exchanges: [],
        },
      ],
    },
  });

  it('the tests that went on pass their own rules; the header rule fails with the recorded message', () => {
    const r = report(
      [MUST, SHOULD, SCHEMA_005],
      [
        recordedOn(`${MUST} t`, 'passed', SCHEMA_005),
        recordedOn(`${SHOULD} t`, 'passed', SCHEMA_005),
        outcome(`${SCHEMA_005} t`, 'passed'),
      ],
    );
    const verdicts = Object.fromEntries(r.rules.map((rule) => [rule.id, rule.verdict]));
    expect([verdicts[MUST], verdicts[SHOULD], verdicts[SCHEMA_005]]).toEqual(['pass', 'pass', 'fail']);
    const failure = r.rules.find((rule) => rule.id === SCHEMA_005)?.failures[0];
    expect(failure).toMatchObject({ ruleId: SCHEMA_005, counterexample: null, seed: null });
    expect(failure?.message).toContain('has Location');
    expect(r.totals.inconclusive).toBe(0);
  });

  it('a test that failed on its own rule still fails the recorded rule too, and blocks nothing', () => {
    const failed = { ...recordedOn(`${MUST} t`, 'failed', SCHEMA_005), failedRules: [MUST] };
    const r = report([MUST, SCHEMA_005], [failed]);
    expect(r.rules.filter((rule) => rule.verdict === 'fail').map((rule) => rule.id)).toEqual(
      expect.arrayContaining([MUST, SCHEMA_005]),
    );
    expect(r.totals).toMatchObject({ fail: 2, inconclusive: 0 });
  });

  it('the console counts each rule once, in the words of the reports', () => {
    const r = report([MUST, SHOULD, SCHEMA_005], [outcome(`${MUST} ${SHOULD} t`, 'failed', [SCHEMA_005])]);
    expect(r.totals.inconclusive).toBe(2);
    const line = renderConsoleSummary(r, 'report.html').split('\n')[1] ?? '';
    const counts = [...line.matchAll(/(?:—|,) (\d+) /g)].map((m) => Number(m[1]));
    expect(line).toMatch(
      /0 of \d+ rules passed, 1 failed \(1 MUST\), 2 not checked, \d+ not applicable under [^,]+, \d+ not asked for \(--suite\/--rule\)$/,
    );
    expect(counts.reduce((sum, n) => sum + n, 0)).toBe(r.totals.rules);
    expect(line).not.toContain('inconclusive');
  });
});

describe('a failure that is not a contract failure carries its cause', () => {
  it('the report names the deepest cause (status and error type), not "Property failed after N tests"', () => {
    const failed: TestOutcome = {
      ...outcome(`${MUST} t`, 'failed'),
      message:
        'Property failed after 5 tests\n{ seed: 1, path: "4", endOnFailure: true }\nCaused by: ApifyApiError: status 415 unsupported-content-type to PUT /v2/key-value-stores/x/records/k: Unsupported Media Type',
    };
    const r = report([MUST], [failed]);
    expect(r.rules.find((rule) => rule.id === MUST)?.failures[0]?.message).toBe(
      'ApifyApiError: status 415 unsupported-content-type to PUT /v2/key-value-stores/x/records/k: Unsupported Media Type',
    );
  });
});

describe('an error of the harness is not a failure of the target', () => {
  const harnessBug: TestOutcome = {
    ...outcome(`${MUST} ${SHOULD} t`, 'failed'),
    message: "TypeError: Cannot read properties of undefined (reading 'items')",
    harnessError: "TypeError: Cannot read properties of undefined (reading 'items') at suites/x.test.ts:3",
  };

  it('the rules its test cites are not checked (INCOMPLETE), with the error as the harness’s, never FAIL', () => {
    const r = report([MUST, SHOULD], [harnessBug]);
    expect(r.verdict).toBe('INCOMPLETE');
    for (const id of [MUST, SHOULD]) {
      const rule = r.rules.find((entry) => entry.id === id);
      expect(rule).toMatchObject({ verdict: 'inconclusive', reasonKind: 'harness-error', failures: [] });
      expect(rule?.reason).toContain('an error of the harness, not of the target (TypeError: Cannot read');
      expect(rule?.reason).toContain('at suites/x.test.ts:3');
    }
    expect(r.totals).toMatchObject({ fail: 0, inconclusive: 2 });
    expect(renderJunitReport(r)).not.toContain('<failure');
  });

  it('a failure that is not the harness’s (an API error a client library threw) still fails the rules cited', () => {
    const thrown = {
      ...outcome(`${MUST} t`, 'failed'),
      message: 'ApifyApiError: status 404 record-not-found: Record was not found',
    };
    expect(report([MUST], [thrown]).rules.find((rule) => rule.id === MUST)?.verdict).toBe('fail');
  });

  it('a contract failure in another test still fails its rule next to a harness error', () => {
    const r = report([MUST, SHOULD], [harnessBug, outcome(`${SHOULD} t2`, 'failed', [SHOULD])]);
    expect(r.rules.find((rule) => rule.id === SHOULD)?.verdict).toBe('fail');
    expect(r.rules.find((rule) => rule.id === MUST)?.verdict).toBe('inconclusive');
  });
});

describe('a rule passes only when every test asked for it ran and passed', () => {
  const SCHEMA_002 = 'KVS-SCHEMA-002' as RuleId;

  it('one test passed and another failed on a stopping rule first: not checked, naming the blocking rule', () => {
    const r = report(
      [MUST, SCHEMA_002],
      [outcome(`${MUST} t1`, 'passed'), outcome(`${MUST} t2`, 'failed', [SCHEMA_002])],
    );
    const rule = r.rules.find((entry) => entry.id === MUST);
    expect(rule).toMatchObject({ verdict: 'inconclusive', reasonKind: 'blocked' });
    expect(rule?.reason).toMatch(/^partially checked: 1 of 2 tests passed; .*failed on KVS-SCHEMA-002 first/);
    expect(r.verdict).toBe('FAIL'); // SCHEMA-002 is a MUST that failed
    expect(r.incomplete.join('\n')).toContain(`${MUST} (MUST): partially checked`);
  });

  it('a stopping failure a profile setting would declare away names the setting in every rule it blocks', () => {
    const stopped: TestOutcome = {
      ...outcome(`${MUST} ${SHOULD} t`, 'failed', [SCHEMA_002]),
      evidence: {
        coverage: [],
        observations: [],
        watches: [],
        failure: {
          ruleId: SCHEMA_002,
          operationId: 'keyValueStores_post',
          message:
            'POST /v2/key-value-stores 201 has store id "0b4f…"; storeIdFormat apify allows ^[a-zA-Z0-9]{17}$; if the target\'s store ids are not the platform\'s, declare it with --store-id-format any',
          evidence: {},
          exchanges: [],
        },
      },
    };
    const r = report([MUST, SHOULD, SCHEMA_002], [stopped]);
    for (const id of [MUST, SHOULD])
      expect(r.rules.find((rule) => rule.id === id)?.reason).toBe(
        "not checked: a test citing it failed on KVS-SCHEMA-002 first; if the target's store ids are not the platform's, declare it with --store-id-format any",
      );
  });

  it('one test passed and another was skipped for want of a capability: not checked, with the reason', () => {
    const r = report([MUST], [outcome(`${MUST} t1`, 'passed'), outcome(`${MUST} t2`, 'skipped')]);
    expect(r.rules.find((entry) => entry.id === MUST)).toMatchObject({
      verdict: 'inconclusive',
      reasonKind: 'not-run',
      reason: 'partially checked: 1 of 2 tests passed; not checked: the run has no token',
    });
    expect(r.verdict).toBe('INCOMPLETE');
  });

  it('one test passed and another was stopped by the time limit: not checked', () => {
    const stopped = { ...outcome(`${MUST} t2`, 'failed'), interrupted: true };
    const r = report([MUST], [outcome(`${MUST} t1`, 'passed'), stopped]);
    expect(r.rules.find((entry) => entry.id === MUST)?.verdict).toBe('inconclusive');
    expect(r.verdict).toBe('INCOMPLETE');
  });

  it('a test the profile gates off (it.runIf, no note) was not asked for: the others decide', () => {
    const gated = { ...outcome(`${MUST} t2`, 'skipped'), skipNote: undefined };
    const r = report([MUST], [outcome(`${MUST} t1`, 'passed'), gated]);
    expect([r.rules.find((entry) => entry.id === MUST)?.verdict, r.verdict]).toEqual(['pass', 'PASS']);
  });

  it('a test a driver is not asked ([driver] not applicable: …) leaves the rule to the tests that ran', () => {
    const notAsked = {
      ...outcome(`${MUST} [http] not applicable: the HTTP driver has no key iterator`, 'skipped'),
      skipNote: 'http: the HTTP driver has no key iterator',
    };
    const r = report([MUST], [outcome(`${MUST} [apify-client] t1`, 'passed'), notAsked]);
    expect([r.rules.find((entry) => entry.id === MUST)?.verdict, r.verdict]).toEqual(['pass', 'PASS']);
  });

  it('the merge of shards does not pass a rule one shard could not check', () => {
    const other = 'KVS-KEYS-001' as RuleId;
    const one = report([MUST, other], [outcome(`${MUST} t1`, 'passed')], { shard: 1 });
    const two = report([MUST, other], [outcome(`${MUST} ${other} t2`, 'failed', [other])], { shard: 2 });
    const merged = mergeReports([one, two], 'merged/report.json');
    expect(merged.rules.find((rule) => rule.id === MUST)).toMatchObject({
      verdict: 'inconclusive',
      reasonKind: 'blocked',
    });
  });
});

describe('rules a profile setting gates off', () => {
  it('the console says "not applicable under <setting>", not "skipped (not asked for)"', () => {
    const noSigning = resolveProfileSettings(contract.profiles, { overrides: { urlSigning: 'false' } });
    const sign = [...contract.rules.keys()].filter((id) => id.startsWith('KVS-SIGN-'));
    const judged = judgeRules(contract, noSigning, new Set([MUST]), [outcome(`${MUST} t`, 'passed')]);
    expect(judged.find((verdict) => verdict.rule.id === sign[0])).toMatchObject({
      verdict: 'skipped',
      reasonKind: 'profile',
      reason: 'not applicable under urlSigning false (it needs urlSigning ∈ {true})',
    });
    const built = buildReport({
      contract,
      result: {
        targetUrl: 'http://127.0.0.1:1',
        settings: noSigning,
        seed: 1,
        runs: 1,
        storePrefix: 'p-',
        drivers: [],
        startedAt: new Date(0),
        durationMs: 1,
        verdicts: judged,
        outcomes: [],
        runErrors: [],
        cleanup: { created: 0, deleted: 0, left: [], problems: [] },
        interrupted: false,
      },
      harnessVersion: '0.0.0',
      preset: undefined,
      shard: undefined,
      embedded: false,
      reportPath: 'report.json',
      rulesReference: { url: 'https://example.test/docs/rules.md', file: 'docs/rules.md' },
      redact: (text) => text,
    });
    const line = renderConsoleSummary(built, 'r.html').split('\n')[1] ?? '';
    const gated = built.rules.filter((rule) => rule.reason?.startsWith('not applicable under') === true);
    expect(gated.length).toBeGreaterThanOrEqual(sign.length);
    expect(line).toContain(`, ${gated.length} not applicable under `);
    expect(line).toMatch(/ not applicable under (\w+ [^,/]+ \/ )*urlSigning false[ ,]/);
    expect(line).not.toContain('skipped (not asked for)');
  });

  it('a gated rule says why it needs its setting, and what a target outside it gives up (whenWhy)', () => {
    const noBrotli = resolveProfileSettings(contract.profiles, {
      overrides: { contentEncodings: 'gzip,deflate' },
    });
    const judged = judgeRules(contract, noBrotli, new Set([MUST]), [outcome(`${MUST} t`, 'passed')]);
    expect(judged.find((verdict) => verdict.rule.id === 'KVS-RECORD-014')?.reason).toBe(
      'not applicable under contentEncodings gzip,deflate (it needs contentEncodings ∈ {br}: apify-client sends every request body of 1 KiB or more brotli-compressed (maybeCompressValue), so a target that does not decode br refuses its setRecord of such a value)',
    );
  });
});
