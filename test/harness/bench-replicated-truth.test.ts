// `bench consistency` against the replicated store of proof/truth/replicated-store.ts, whose truth is
// known in closed form: each change reaches each of N replicas after an independent exponential lag
// (mean 150 ms), every read goes to a random replica. t-visibility is F(t), full visibility F(t)^N.
// The store records when every change was committed and reached each replica, so the measurement
// is compared with what really happened to its own trials, counted like the measurement from each
// trial's acknowledgement (proof/truth/trial-truth.ts) — robust on a loaded machine, where the
// acknowledgement comes back well after the commit. Per trial: the true time is after the last
// stale read's send time, always, and (one replica) by the first confirming answer. Overall: the
// median within 10 % and both curves within ±0.05 at 100 and 400 ms — or, where a small run's own
// sampling error is larger, within twice its 95 % interval, the time axis being exact only to the
// stated resolution (the tolerance comes from the statistics, never from a timing). A planted
// resurrection must be told apart from replica lag.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type {
  ConsistencyBenchResult,
  OperationVisibility,
} from '../../harness/consistency/consistency-bench-result.ts';
import type { ConsistencyOperation } from '../../harness/consistency/consistency-operation.ts';
import { runConsistencyBench } from '../../runner/run-consistency-bench.ts';
import { DEFAULT_STOPPING_RULE } from '../../harness/consistency/stopping-rule.ts';
import { wilsonInterval, type TVisibilityPoint } from '../../harness/consistency/visibility-statistics.ts';
import { loadContract } from '../../harness/contract/load-contract.ts';
import { newRunPrefix } from '../../harness/isolation/run-namespace.ts';
import {
  ReplicatedStore,
  replicatedTruth,
  type ReplicatedStoreOptions,
} from '../../proof/truth/replicated-store.ts';
import {
  trialTruth,
  truthFromAcknowledgement,
  type TrialTruth,
  type TruthFromAcknowledgement,
} from '../../proof/truth/trial-truth.ts';
import type { VisibilityTrial } from '../../harness/consistency/visibility-trial.ts';
import { startServer } from '../../server/index.ts';

const contract = await loadContract();
const out = mkdtempSync(join(tmpdir(), 'kvsc-replicated-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const TRIALS = 40;
const RESOLUTION_MS = 10;
const LAG = { kind: 'exponential', meanMs: 150 } as const;

async function bench(
  store: ReplicatedStoreOptions,
  operations: ConsistencyOperation[],
  trials = TRIALS,
  settleMs = 100,
  stopping = DEFAULT_STOPPING_RULE,
  sessions: { readonly stickyReaders?: boolean } = {},
): Promise<ConsistencyBenchResult & { truths: Map<ConsistencyOperation, TruthFromAcknowledgement> }> {
  const model = new ReplicatedStore({ ...store, keepHistory: true });
  const server = await startServer({ consistencyModel: model });
  const prefix = newRunPrefix();
  const judged = new Map<ConsistencyOperation, { trial: VisibilityTrial; truth: TrialTruth }[]>();
  try {
    const result = await runConsistencyBench(contract, {
      targetUrl: server.url,
      token: undefined,
      targetLabel: 'replicated store',
      prefix,
      journalFile: join(out, `${prefix}.jsonl`),
      timeoutMs: 30_000,
      trials,
      readers: 3,
      resolutionMs: RESOLUTION_MS,
      maxWaitMs: 5_000,
      windowMs: 10_000,
      settleMs,
      stopping,
      parallel: 6,
      operations,
      versions: 4,
      ...sessions,
      onTrial: ({ operation, name, trial }) => {
        const truth = trialTruth(model.changesOf(name), trial);
        if (truth) judged.set(operation, [...(judged.get(operation) ?? []), { trial, truth }]);
      },
    });
    const truths = new Map(
      [...judged].map(
        ([operation, trials]) => [operation, truthFromAcknowledgement(trials, stopping)] as const,
      ),
    );
    return { ...result, truths };
  } finally {
    await server.close();
  }
}

/** The measured curve's value at tMs (the slot at or before it; 1 past its end). */
function at(curve: readonly { tMs: number; p: number }[], tMs: number): number {
  if (tMs > (curve.at(-1)?.tMs ?? 0)) return curve.at(-1)?.p ?? 0;
  return curve.findLast((point) => point.tMs <= tMs)?.p ?? 0;
}

/**
 * How far `value` is from f(tMs) when the measurement's time is exact only to within `honestMs`:
 * 0 anywhere between f(tMs − honestMs) and f(tMs + honestMs).
 */
function withinResolution(tMs: number, honestMs: number) {
  return (f: (t: number) => number, value: number): number =>
    Math.min(
      Math.abs(value - f(tMs)),
      value >= f(Math.max(0, tMs - honestMs)) && value <= f(tMs + honestMs) ? 0 : Infinity,
      Math.abs(value - f(Math.max(0, tMs - honestMs))),
      Math.abs(value - f(tMs + honestMs)),
    );
}

/** A per-read curve (t-visibility, k-staleness) at tMs is within ±0.05 of the truth, or twice its 95 % interval. */
function expectPerRead(
  curve: readonly TVisibilityPoint[],
  truth: (t: number) => number,
  tMs: number,
  honestMs: number,
  what: string,
): void {
  const point = curve.findLast((candidate) => candidate.tMs <= tMs);
  const half = point ? (point.high - point.low) / 2 : 1;
  expect(
    withinResolution(tMs, honestMs)(truth, point?.p ?? -1),
    `${what} at ${tMs} ms: measured ${JSON.stringify(point)}, true ${truth(tMs).toFixed(3)}`,
  ).toBeLessThanOrEqual(Math.max(0.05, 2 * half));
}

/**
 * A measurement is exact only to within the resolution the report states (`honestMs`: slot + p99
 * lateness + p99 latency, larger on a loaded machine): quantiles get it as slack, curves are
 * compared with the truth anywhere within it. The truth is that of these very trials, from their
 * acknowledgements; the closed form (from the commit) must agree with it within the sampling error.
 */
function expectTruth(
  operation: OperationVisibility,
  real: TruthFromAcknowledgement | undefined,
  replicas: number,
  honestMs: number,
  shape: Pick<ReplicatedStoreOptions, 'lag' | 'atCommit'> = { lag: LAG },
): void {
  const what = `${operation.operation}, N = ${replicas}`;
  expect(operation.failedTrials, what).toBe(0);
  expect(
    Object.values(operation.censored).reduce((sum, count) => sum + count, 0),
    what,
  ).toBe(0);
  if (!real) throw new Error(`${what}: no trial matched the store's record`);
  expect(real.trials, what).toBe(operation.trials);
  // Per trial: a stale read proves the change was not everywhere when it was sent — always.
  expect(real.belowLower, `${what}: trials whose true time was before their last stale read`).toBe(0);
  // The upper end: with one replica a read that saw the change bounds it (sure); with three, a
  // laggard answering a third of the reads is missed by the stopping rule's 44 reads with chance
  // (2/3)^44 < 1e-7 per trial.
  expect(real.aboveUpper, `${what}: true time after the estimate's upper end`).toBe(0);
  // The median only: at this test's 40 trials on a loaded machine the p90 of the maximum of N lags
  // is too thin a tail to pin; p90 is measured against the truth over 150 trials in bench/RESULTS.md
  // (`npm run bench:replicated`). The truth is that of these very trials, so the trials' own
  // sampling error (the bootstrap interval) is no excuse: only the stated resolution is.
  const estimate = operation.quantiles.p50;
  const expected = real.fullQuantile(0.5);
  expect(
    Math.abs((estimate.valueMs ?? Infinity) - expected),
    `${what} p50: measured ${estimate.valueMs} (${estimate.lowMs}–${estimate.highMs}), true ${expected.toFixed(1)}, resolution ${honestMs} ms`,
  ).toBeLessThanOrEqual(Math.max(0.1 * expected, honestMs));
  for (const tMs of [100, 400]) {
    const within = withinResolution(tMs, honestMs);
    expectPerRead(operation.tVisibility, real.tVisibility, tMs, honestMs, `${what} t-visibility`);
    const full = at(operation.curve, tMs);
    const { low, high } = wilsonInterval(full, operation.trials);
    expect(
      within(real.fullVisibility, full),
      `${what} full visibility at ${tMs} ms: measured ${full}, true ${real.fullVisibility(tMs).toFixed(3)}`,
    ).toBeLessThanOrEqual(Math.max(0.05, 2 * ((high - low) / 2)));
  }
  // The trials' truth is the store's closed form, up to sampling error and the commit-to-ack delay.
  const closed = replicatedTruth({ replicas, ...shape });
  for (const tMs of [100, 400]) {
    const p = real.tVisibility(tMs);
    const { low, high } = wilsonInterval(p, real.trials);
    expect(
      withinResolution(tMs, real.ackDelayMs + RESOLUTION_MS)(closed.tVisibility, p),
      `${what}: the trials' own t-visibility at ${tMs} ms, ${p.toFixed(3)}, against the closed form ${closed.tVisibility(tMs).toFixed(3)}`,
    ).toBeLessThanOrEqual(Math.max(0.05, 2 * ((high - low) / 2)));
  }
}

/**
 * The per-trial estimates are median-unbiased: over n trials the share whose estimate lies below
 * their own true time is ½ within three binomial standard deviations, plus 0.05 for the model's
 * approximations (a read placed uniformly within its round trip; the laggard share estimated a
 * little high). Scale-free: the same on a quiet and on a loaded machine. The plain last stale read
 * (or the middle of it and the first confirming answer) misses, with N replicas and random
 * routing, the reads that did not reach the laggard before it got the change: it comes out below
 * the truth in about four trials of five and fails this.
 */
function expectMedianUnbiased(truths: readonly TruthFromAcknowledgement[], what: string): void {
  const n = truths.reduce((sum, truth) => sum + truth.errorsMs.length, 0);
  const below = truths.reduce((sum, truth) => sum + truth.shareBelow * truth.errorsMs.length, 0) / n;
  const midpoint =
    truths.reduce((sum, truth) => sum + truth.midpointShareBelow * truth.errorsMs.length, 0) / n;
  expect(
    Math.abs(below - 0.5),
    `${what}: share of ${n} trials whose estimate is below their true time ${below.toFixed(3)} (the uncorrected midpoint: ${midpoint.toFixed(3)})`,
  ).toBeLessThanOrEqual(3 * Math.sqrt(0.25 / n) + 0.05);
}

describe('bench consistency recovers the replicated store’s closed-form truth', () => {
  it.each([1, 3])('N = %i replicas: new key, overwrite, delete', async (replicas) => {
    const result = await bench({ replicas, lag: LAG, repair: 'versioned', seed: 11 }, [
      'new-key',
      'overwrite',
      'delete',
    ]);
    expectMedianUnbiased([...result.truths.values()], `N = ${replicas}`);
    for (const operation of result.operations) {
      expectTruth(operation, result.truths.get(operation.operation), replicas, result.resolution.honestMs);
      // Nothing ever reverts on this store: no resurrection, no lost update, ever.
      expect(operation.anomalies.resurrection, operation.operation).toBe(0);
      expect(operation.anomalies['unexpected-state'], operation.operation).toBe(0);
      if (replicas === 1) expect(operation.anomalies['session-non-monotonic'], operation.operation).toBe(0);
    }
    // The stated cost, projected from the first trials, is of the run's order. How close it comes
    // (the ±30 % target) is measured in bench/RESULTS.md over full runs: at this test's 40 trials on a
    // loaded machine the first trials' request counts vary too much for a tight bound (0.35 seen).
    expect(Math.abs(result.cost.projected.requests / result.cost.requests - 1)).toBeLessThanOrEqual(0.6);
    expect(result.leftStores).toEqual([]);
  });

  it('N = 3, log-normal lag, one replica at the commit (the shape of a leader that applies a write before acknowledging it): new key, overwrite, delete', async () => {
    // #26 session 7: a stranger's store of this shape read 16–24 % early at p50 and its truth fell
    // outside the stated per-trial bounds in 7–14 of 60 trials: the acknowledgement's body came 40
    // ms after its status (Nagle), the first confirming read was stated as a sure upper end, and
    // the laggard share from the last two stale reads came out 0.42–0.52 against 1/3.
    const shape = { lag: { kind: 'lognormal', medianMs: 120, sigma: 0.6 }, atCommit: 1 } as const;
    const result = await bench({ replicas: 3, ...shape, repair: 'versioned', seed: 19 }, [
      'new-key',
      'overwrite',
      'delete',
    ]);
    expectMedianUnbiased([...result.truths.values()], 'N = 3, log-normal, one at the commit');
    for (const operation of result.operations) {
      // 1/3 where the reads tell three replicas from two; between 1/3 and 1/2 where a loaded
      // machine leaves few reads while two replicas lag (the share is then averaged over N).
      expect(operation.fullVisibility.laggardShare, operation.operation).toBeGreaterThanOrEqual(0.3);
      expect(operation.fullVisibility.laggardShare, operation.operation).toBeLessThanOrEqual(0.45);
      expectTruth(operation, result.truths.get(operation.operation), 3, result.resolution.honestMs, shape);
    }
  });

  it('N = 3: k-staleness of versions written back to back, 1 − (1 − F(t))^(k+1)', async () => {
    const replicas = 3;
    const result = await bench({ replicas, lag: LAG, repair: 'versioned', seed: 13 }, ['versions']);
    const [operation] = result.operations;
    if (!operation) throw new Error('no versions result');
    const truth = replicatedTruth({ replicas, lag: LAG });
    expectTruth(operation, result.truths.get(operation.operation), replicas, result.resolution.honestMs);
    expect(operation.kStaleness?.map(({ k }) => k)).toEqual([1, 2]);
    for (const { k, curve } of operation.kStaleness ?? [])
      for (const tMs of [100, 400])
        expectPerRead(
          curve,
          (t) => truth.kStaleness(k, t),
          tMs,
          result.resolution.honestMs,
          `${k}-staleness`,
        );
    expect(operation.anomalies['unexpected-state']).toBe(0);
  });

  it('sticky readers: sessions read monotonically and read their own writes under sticky routing, neither under random routing', async () => {
    const store = { replicas: 3, lag: LAG, repair: 'versioned', seed: 17 } as const;
    const sticky = { stickyReaders: true };
    const [pinned, random] = await Promise.all([
      bench({ ...store, routing: 'sticky' }, ['overwrite'], 10, 100, DEFAULT_STOPPING_RULE, sticky),
      bench({ ...store, routing: 'random' }, ['overwrite'], 10, 100, DEFAULT_STOPPING_RULE, sticky),
    ]);
    const pinnedSessions = pinned.operations[0]?.sessions;
    expect(pinnedSessions).toMatchObject({ sessions: 30, monotonicReadsBroken: 0, readYourWritesBroken: 0 });
    expect(pinned.operations[0]?.anomalies['session-non-monotonic']).toBe(0);
    expect(pinned.operations[0]?.anomalies['read-your-writes']).toBe(0);
    const randomSessions = random.operations[0]?.sessions;
    expect(randomSessions?.monotonicReadsBroken).toBeGreaterThan(0);
    expect(randomSessions?.readYourWritesBroken).toBeGreaterThan(0);
  });

  it('tells a planted resurrection from replica lag', async () => {
    const result = await bench(
      {
        replicas: 3,
        lag: { kind: 'exponential', meanMs: 20 },
        repair: 'versioned',
        resurrectAfterMs: 400,
        seed: 5,
      },
      ['delete'],
      6,
      // A removal is watched for twice the settle time (500 ms), past the planted value's return.
      250,
      // Three replicas at random: a lagging one answers a third of the reads.
      { missBound: 0.01, lagShare: 1 / 3 },
    );
    expect(result.operations[0]?.anomalies.resurrection).toBeGreaterThan(0);
    // The value stays back for good: those trials never converge, named as such.
    expect(result.operations[0]?.censored['max-wait']).toBeGreaterThan(0);
    expect(result.operations[0]?.examples.find((example) => example.kind === 'resurrection')?.detail).toMatch(
      /every reader read it absent from \d+ ms for \d+ ms, then reader \d read 200/,
    );
  });
});
