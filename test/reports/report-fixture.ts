import {
  loadContract,
  resolveProfileSettings,
  type RuleId,
  type RunResult,
  type TestOutcome,
} from '../../harness/index.ts';
import { judgeRules } from '../../runner/rule-verdicts.ts';
import { buildReport, type ConformanceReport } from '../../reports/index.ts';

const TOKEN = 'fixture-secret-token';

/** A failing test outcome as the verdict reporter records it, with a recorded contract failure. */
function failing(title: string, ruleId: RuleId): TestOutcome {
  return {
    title,
    file: 'suites/key-pagination.test.ts',
    rules: [ruleId],
    state: 'failed',
    skipNote: undefined,
    failedRules: [ruleId],
    message: `Property failed after 3 tests\n{ seed: 42, path: "2:0:1", endOnFailure: true }\nCounterexample: [["a","b"],1]\nShrunk 5 time(s)\nCaused by: [${ruleId}] the last page has nextExclusiveStartKey missing, not null`,
    durationMs: 120,
    property: { seed: 42, path: '2:0:1', counterexample: '[["a","b"],1]', shrinks: 5, runsUntilFailure: 3 },
    evidence: {
      coverage: ['keyValueStore_keys_get 200', 'keyValueStore_record_put 201'],
      observations: [],
      watches: [],
      requests: 57,
      failure: {
        ruleId,
        operationId: 'keyValueStore_keys_get',
        message:
          'page 2 (limit 1, exclusiveStartKey "a"): the last page has nextExclusiveStartKey missing, not null (apify-client would loop forever)',
        evidence: {},
        exchanges: [
          {
            curl: `curl -i -H "authorization: Bearer $APIFY_TOKEN" 'http://127.0.0.1:8080/v2/key-value-stores/AAAAAAAAAAAAAAAAA/keys?limit=1&exclusiveStartKey=a'`,
            method: 'GET',
            url: 'http://127.0.0.1:8080/v2/key-value-stores/AAAAAAAAAAAAAAAAA/keys?limit=1&exclusiveStartKey=a',
            status: 200,
            error: undefined,
            responseHeaders: { 'content-type': 'application/json' },
            responseExcerpt: `{"data":{"items":[{"key":"b","size":1}],"count":1,"limit":1,"isTruncated":false}} <${TOKEN}>`,
            durationMs: 1.5,
          },
        ],
      },
    },
  };
}

function passing(title: string, rules: RuleId[], observations: number[] = []): TestOutcome {
  return {
    title,
    file: 'suites/consistency.test.ts',
    rules,
    state: 'passed',
    skipNote: undefined,
    failedRules: [],
    message: undefined,
    durationMs: 80,
    property: undefined,
    evidence: {
      coverage: ['keyValueStore_record_get 200', 'keyValueStore_record_get 404'],
      observations: observations.map((ms) => ({
        outcome: ms === 0 ? ('fresh' as const) : ('tolerated-stale' as const),
        staleReads: ms === 0 ? 0 : 2,
        staleForMs: ms,
      })),
      watches: [
        { outcome: 'held', reads: 15, afterMs: 301 },
        { outcome: 'held', reads: 16, afterMs: 305 },
      ],
      requests: 120,
    },
  };
}

/** A report built the way a run builds it, from fixed outcomes: deterministic but for nothing. */
export async function fixtureReport(): Promise<{ report: ConformanceReport; token: string }> {
  const contract = await loadContract();
  const settings = resolveProfileSettings(contract.profiles, { preset: 'legacy-2020' });
  const outcomes = [
    failing('KVS-KEYS-005 the last page ends with a null cursor', 'KVS-KEYS-005'),
    passing(
      'KVS-CONS-003 KVS-CONS-006 writes show within the window',
      ['KVS-CONS-003', 'KVS-CONS-006'],
      [0, 40, 120, 35],
    ),
    passing('KVS-KEYS-001 KVS-KEYS-002 walking the pages yields every key once', [
      'KVS-KEYS-001',
      'KVS-KEYS-002',
    ]),
  ];
  const selected = new Set(
    [...contract.rules.keys()].filter((id) => id.startsWith('KVS-KEYS') || id.startsWith('KVS-CONS')),
  );
  const result: RunResult = {
    targetUrl: `http://user:pw@127.0.0.1:8080/?token=${TOKEN}`,
    settings,
    seed: 42,
    runs: 25,
    storePrefix: 'kvsc-fixture-',
    drivers: [
      { name: 'http', package: 'kvs-conformance', version: '0.1.0', transport: 'http' },
      { name: 'apify-client@2.12.0', package: 'apify-client', version: '2.12.0', transport: 'http' },
    ],
    startedAt: new Date('2026-01-02T03:04:05.000Z'),
    durationMs: 4321,
    verdicts: judgeRules(contract, settings, selected, outcomes),
    outcomes,
    runErrors: [],
    cleanup: { created: 3, deleted: 3, left: [], problems: [], requests: 1 },
    requests: { suiteFiles: 3, runner: 2 },
    interrupted: false,
  };
  const redact = (text: string): string => text.split(TOKEN).join('$APIFY_TOKEN');
  const report = buildReport({
    contract,
    result,
    harnessVersion: '9.9.9',
    preset: 'legacy-2020',
    shard: undefined,
    embedded: false,
    reportPath: 'out/report.json',
    redact,
    rulesReference: {
      url: 'https://github.com/kvs-conformance/kvs-conformance/blob/v9.9.9/docs/rules.md',
      file: '/opt/kvs-conformance/docs/rules.md',
    },
  });
  return { report, token: TOKEN };
}
