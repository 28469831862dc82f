// `bench consistency` against the reference server with known settings: the measured visibility
// distribution must match the configured lag distribution (KS ≤ 0.05 at the probe resolution,
// see proof/truth/visibility-truth.ts for exactly how), anomalies must appear exactly when the server
// produces them (replicas), and a strong server must be consistent at t = 0 with no anomalies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsistencyOperation } from '../../harness/consistency/consistency-operation.ts';
import { runConsistencyBench } from '../../runner/run-consistency-bench.ts';
import { DEFAULT_STOPPING_RULE } from '../../harness/consistency/stopping-rule.ts';
import { loadContract } from '../../harness/contract/load-contract.ts';
import { newRunPrefix } from '../../harness/isolation/run-namespace.ts';
import { pickSeed } from '../../proof/truth/consistency-truth.ts';
import { truthDistance } from '../../proof/truth/visibility-truth.ts';
import {
  parseLagDistribution,
  startServer,
  type RunningServer,
  type ServerOptions,
} from '../../server/index.ts';

const contract = await loadContract();
const out = mkdtempSync(join(tmpdir(), 'kvsc-truth-'));

/** Small enough to finish in seconds on a loaded 2-core machine; bench/consistency-truth.ts runs the full size. */
const TRIALS = 300;
const RESOLUTION_MS = 5;
/** The seed's own draws stay within this of F, so the rest of the 0.05 is left to the measurement. */
const SAMPLING_TOLERANCE = 0.02;

async function bench(url: string, operations: ConsistencyOperation[], trials: number, readers: number) {
  const prefix = newRunPrefix();
  return runConsistencyBench(contract, {
    targetUrl: url,
    token: undefined,
    targetLabel: url,
    prefix,
    journalFile: join(out, `${prefix}.jsonl`),
    timeoutMs: 30_000,
    trials,
    readers,
    resolutionMs: RESOLUTION_MS,
    maxWaitMs: 5_000,
    windowMs: 1_000,
    settleMs: 50,
    // One replica: a reader that lags answers every read, so a few reads in a row settle it.
    stopping: { ...DEFAULT_STOPPING_RULE, lagShare: 0.5 },
    parallel: 4,
    operations,
  });
}

const NO_ANOMALIES = {
  'session-non-monotonic': 0,
  'cross-reader-non-monotonic': 0,
  'read-your-writes': 0,
  resurrection: 0,
  'unexpected-state': 0,
};

const DISTRIBUTIONS = [
  { name: 'fixed', spec: 'fixed:25', threeTimesSlower: 'fixed:75' },
  { name: 'uniform', spec: 'uniform:0:50', threeTimesSlower: 'uniform:0:150' },
  { name: 'exponential', spec: 'exponential:15', threeTimesSlower: 'exponential:45' },
  {
    name: 'mixture with a long tail',
    spec: 'uniform:0:20@0.9+exponential:120@0.1',
    threeTimesSlower: 'uniform:0:60@0.9+exponential:360@0.1',
  },
];
const replicaLag = { overwrite: parseLagDistribution('uniform:0:60') };

/** Every server of the file (real HTTP servers on loopback, in this process). */
const SERVERS: Readonly<Record<string, ServerOptions['consistency']>> = {
  ...Object.fromEntries(
    DISTRIBUTIONS.map(({ spec }) => [
      spec,
      {
        mode: 'eventual',
        lags: { overwrite: parseLagDistribution(spec) },
        seed: pickSeed(spec, TRIALS, RESOLUTION_MS, SAMPLING_TOLERANCE).seed,
      },
    ]),
  ),
  replicas: { mode: 'eventual', lags: replicaLag, seed: 3, replicas: 3 },
  single: { mode: 'eventual', lags: replicaLag, seed: 3 },
  strong: { mode: 'strong' },
};
const servers = new Map<string, RunningServer>();
const urlOf = (name: string): string => servers.get(name)?.url ?? '';

beforeAll(async () => {
  for (const [name, consistency] of Object.entries(SERVERS))
    servers.set(name, await startServer(consistency ? { consistency } : {}));
});
afterAll(async () => {
  await Promise.all([...servers.values()].map((server) => server.close()));
  rmSync(out, { recursive: true, force: true });
});

describe('bench consistency recovers a known truth', () => {
  it.each(DISTRIBUTIONS)(
    '$name overwrite lag ($spec): KS ≤ 0.05 at the probe resolution, no anomalies',
    async ({ spec, threeTimesSlower }) => {
      const result = await bench(urlOf(spec), ['overwrite'], TRIALS, 1);
      const [overwrite] = result.operations;
      expect(overwrite?.failedTrials).toBe(0);
      expect(overwrite?.anomalies).toEqual(NO_ANOMALIES);
      const distance = truthDistance(
        overwrite?.samples ?? [],
        overwrite?.lagBoundsMs ?? [],
        parseLagDistribution(spec),
        RESOLUTION_MS,
      );
      expect(distance.ks, JSON.stringify({ distance, resolution: result.resolution })).toBeLessThanOrEqual(
        0.05,
      );
      // The comparison can fail: the same measurement against a distribution three times slower does.
      const wrong = truthDistance(
        overwrite?.samples ?? [],
        overwrite?.lagBoundsMs ?? [],
        parseLagDistribution(threeTimesSlower),
        RESOLUTION_MS,
      );
      expect(wrong.ks).toBeGreaterThan(0.05);
      expect(result.leftStores).toEqual([]);
    },
  );

  it('KVS-CONS-003 monotonic-read anomalies appear with several replicas and not with one', async () => {
    const fromReplicas = await bench(urlOf('replicas'), ['overwrite'], 60, 3);
    const fromOne = await bench(urlOf('single'), ['overwrite'], 60, 3);
    const anomalies = fromReplicas.operations[0]?.anomalies;
    expect(anomalies?.['session-non-monotonic']).toBeGreaterThan(0);
    expect(
      fromReplicas.operations[0]?.examples.find((example) => example.kind === 'session-non-monotonic')
        ?.detail,
    ).toMatch(/reader \d read 200 "after-[^"]+" at \d+ ms, then 200 "before-[^"]+" at \d+ ms/);
    expect(fromOne.operations[0]?.anomalies).toEqual(NO_ANOMALIES);
  });

  it('a strong server is consistent at t = 0 for every kind of change, with no anomalies', async () => {
    const result = await bench(
      urlOf('strong'),
      [
        'new-key',
        'overwrite',
        'delete',
        'list-add',
        'list-remove',
        'negative-cache',
        'store-create',
        'rename',
      ],
      20,
      2,
    );
    for (const operation of result.operations) {
      expect(operation.consistentAtZero, operation.operation).toBe(1);
      expect(operation.anomalies, operation.operation).toEqual(NO_ANOMALIES);
    }
    expect(result.verdict.within).toBe(true);
    expect(result.leftStores).toEqual([]);
  });
});
