import { randomBytes } from 'node:crypto';
import type { Contract } from '../harness/contract/load-contract.ts';
import { HttpApi } from '../harness/drivers/http-api.ts';
import { HttpClient, type HttpRequest } from '../harness/http/http-client.ts';
import type { Exchange } from '../harness/http/exchange.ts';
import { deleteRunStores } from '../harness/isolation/delete-run-stores.ts';
import { recordCreatedStore } from '../harness/isolation/run-namespace.ts';
import { HarnessError } from '../harness/errors.ts';
import { HARNESS_VERSION } from '../harness/version.ts';
import {
  benchOutcome,
  type ConsistencyBenchResult,
  type ConsistencyBenchSettings,
  type OperationVisibility,
  type QuantileEstimate,
  type WindowVerdict,
} from '../harness/consistency/consistency-bench-result.ts';
import {
  DEFAULT_VERSIONS,
  OPERATION_DESCRIPTIONS,
  type ConsistencyOperation,
} from '../harness/consistency/consistency-operation.ts';
import { consistencyTrialPlan, settlesSetup } from '../harness/consistency/consistency-trial-plan.ts';
import {
  estimateFullVisibility,
  type FullVisibilityEstimate,
} from '../harness/consistency/full-visibility-estimate.ts';
import { confirmationsNeeded, type StoppingRule } from '../harness/consistency/stopping-rule.ts';
import {
  BOOTSTRAP,
  kStalenessCurve,
  latencySummary,
  tVisibilityCurve,
  kaplanMeierQuantile,
  visibilityCurve,
  visibilityHistogram,
  visibilityQuantiles,
} from '../harness/consistency/visibility-statistics.ts';
import {
  ANOMALY_KINDS,
  CENSOR_REASONS,
  nonMonotonicReads,
  runVisibilityTrial,
  type TrialCensoring,
  type VisibilityTrial,
} from '../harness/consistency/visibility-trial.ts';

/** What `bench consistency` needs beyond its settings. */
export interface ConsistencyBenchOptions extends Omit<
  ConsistencyBenchSettings,
  'bootstrap' | 'stopping' | 'versions' | 'stickyReaders'
> {
  readonly stopping: StoppingRule;
  /** The versions a `versions` trial writes (default DEFAULT_VERSIONS). */
  readonly versions?: number;
  /** One keep-alive connection per reader, a session (default: readers share a pool). */
  readonly stickyReaders?: boolean;
  readonly targetUrl: string;
  readonly token: string | undefined;
  /** How the target is shown in the report (a redacted URL or the embedded server's settings). */
  readonly targetLabel: string;
  /** Run namespace: the store-name prefix and the journal of created stores (harness/isolation). */
  readonly prefix: string;
  readonly journalFile: string;
  readonly timeoutMs: number;
  readonly onProgress?: (progress: BenchProgress) => void;
  /** Aborted (SIGINT/SIGTERM): trials in flight end as `interrupted`, no new one starts. */
  readonly signal?: AbortSignal;
  /**
   * Called with every trial as it ends and the name it changed (the record key, or the store
   * name): lets a caller that knows the target's truth (proof/truth) compare trial by trial.
   */
  readonly onTrial?: (done: {
    operation: ConsistencyOperation;
    name: string;
    trial: VisibilityTrial;
  }) => void;
}

/** Where a running benchmark is. */
export interface BenchProgress {
  readonly operation: ConsistencyOperation;
  readonly trialsDone: number;
  readonly trials: number;
  readonly requests: number;
  readonly elapsedMs: number;
}

/** Requests per trial before the write (setup) for each kind of change, without the settle reads. */
const SETUP_REQUESTS: Readonly<Record<ConsistencyOperation, number>> = {
  'new-key': 0,
  'list-add': 0,
  'store-create': 0,
  'negative-cache': 1,
  overwrite: 1,
  versions: 1,
  delete: 1,
  'list-remove': 1,
  rename: 1,
};

/**
 * The cost of a benchmark, stated before it starts: requests and duration as a range (every change
 * visible at once … every trial running to max-wait). Each trial: its setup requests, then for a
 * setup to settle every reader reads for the settle time and at least the stopping rule's
 * confirmations, the write, and after it the stopping rule's confirmations at least.
 */
export function estimateBenchCost(
  settings: Omit<ConsistencyBenchSettings, 'bootstrap' | 'stopping' | 'versions' | 'stickyReaders'> & {
    readonly stopping: StoppingRule;
    readonly versions?: number;
  },
): {
  readonly requests: { readonly min: number; readonly max: number };
  readonly durationMs: { readonly min: number; readonly max: number };
} {
  const confirmations = confirmationsNeeded(settings.stopping);
  const confirmSlots = Math.ceil(confirmations / settings.readers);
  const settleSlots = Math.max(confirmSlots, Math.ceil(settings.settleMs / settings.resolutionMs) + 1);
  const maxSlots = Math.ceil(settings.maxWaitMs / settings.resolutionMs) + 1;
  let min = 0;
  let max = 0;
  let minMs = 0;
  let maxMs = 0;
  const rounds = Math.ceil(settings.trials / settings.parallel);
  for (const operation of settings.operations) {
    const settles = settlesSetup(operation);
    // The change: one write, or v2 … vK for a `versions` trial.
    const fixed =
      SETUP_REQUESTS[operation] +
      (operation === 'versions' ? (settings.versions ?? DEFAULT_VERSIONS) - 1 : 1);
    // At least the stopping rule's reads after the write, and as many to settle the setup.
    min += settings.trials * (fixed + confirmations * (settles ? 2 : 1));
    max += settings.trials * (fixed + settings.readers * maxSlots * (settles ? 2 : 1));
    minMs += rounds * (confirmSlots + (settles ? settleSlots : 0)) * settings.resolutionMs;
    maxMs += rounds * (settles ? 2 : 1) * settings.maxWaitMs;
  }
  return { requests: { min, max }, durationMs: { min: minMs, max: maxMs } };
}

/** The HTTP client counting every request it sends into a count it may share with others. */
class CountingHttpClient extends HttpClient {
  readonly #count: { requests: number };

  constructor(options: ConstructorParameters<typeof HttpClient>[0], count = { requests: 0 }) {
    super(options);
    this.#count = count;
  }

  get requests(): number {
    return this.#count.requests;
  }

  override async send(input: HttpRequest): Promise<Exchange> {
    this.#count.requests += 1;
    return super.send(input);
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 100 === 0 ? `${ms / 1000} s` : `${Math.round(ms * 10) / 10} ms`;
}

/**
 * The window verdict on p99.9. Each trial's time is known only between the last stale read's send
 * time and its upper end within the stopping rule's miss bound (FullVisibilityPoint): "within"
 * needs the p99.9 of the upper ends within the window, "over" the p99.9 of the lower bounds past
 * it; in between the probes cannot tell (undetermined), whatever the point estimate says.
 */
function windowVerdict(
  operation: ConsistencyOperation,
  p999: QuantileEstimate,
  bracket: readonly [number, number],
  windowMs: number,
  trials: number,
): WindowVerdict {
  const { valueMs, atLeastMs } = p999;
  const [lowerMs, upperMs] = bracket;
  if (p999.trialsNeeded !== undefined && Number.isFinite(lowerMs) && Number.isFinite(upperMs)) {
    // Too few trials for a p99.9 (and no censored one): say what the trials themselves show.
    const few = `${trials} trial(s) cannot estimate a p99.9 (at least ${p999.trialsNeeded} needed)`;
    const over = lowerMs > windowMs;
    const within = !over && upperMs <= windowMs;
    const text = over
      ? `p99.9 of ${operation} visibility > window ${formatMs(windowMs)}: a trial's change was not everywhere ${formatMs(lowerMs)} after its acknowledgement (${few})`
      : within
        ? `every one of ${trials} ${operation} trials was fully visible within ${formatMs(upperMs)} ≤ window ${formatMs(windowMs)}; ${few}`
        : `${few} of ${operation} visibility; the trials' largest time lies between ${formatMs(lowerMs)} and ${formatMs(upperMs)}, window ${formatMs(windowMs)}`;
    return {
      quantile: 'p99.9',
      valueMs: null,
      windowMs,
      within,
      ...(within || over ? {} : { undetermined: true as const }),
      text,
    };
  }
  const within = valueMs !== null && upperMs <= windowMs;
  const bracketed = valueMs !== null && !within && lowerMs <= windowMs;
  // A quantile censored trials hide fails only when they were censored past the window: they truly
  // did not converge within it; censored earlier (target errors), the verdict cannot be given.
  const undetermined = bracketed || (valueMs === null && (atLeastMs ?? 0) < windowMs);
  const text =
    valueMs !== null
      ? bracketed
        ? `p99.9 of ${operation} visibility ${formatMs(valueMs)} cannot be told against window ${formatMs(windowMs)}: the probes place it between ${formatMs(lowerMs)} and ${formatMs(upperMs)}`
        : `p99.9 of ${operation} visibility ${formatMs(valueMs)} ${within ? '≤' : '>'} window ${formatMs(windowMs)}`
      : undetermined
        ? `p99.9 of ${operation} visibility cannot be told: trials without a time hide it (≥ ${formatMs(atLeastMs ?? 0)}), window ${formatMs(windowMs)}`
        : `p99.9 of ${operation} visibility ≥ ${formatMs(atLeastMs ?? 0)} > window ${formatMs(windowMs)}: trials did not converge within max-wait`;
  return { quantile: 'p99.9', valueMs, windowMs, within, ...(undetermined ? { undetermined } : {}), text };
}

/** A verdict over fewer trials than asked for (setups refused or never settled) is never "within". */
function unmeasured(verdict: WindowVerdict, failed: number): WindowVerdict {
  if (failed === 0 || !verdict.within) return verdict;
  return {
    ...verdict,
    within: false,
    undetermined: true,
    text: `${verdict.text}, but ${failed} trial(s) could not be made (setup refused or never settled)`,
  };
}

/** Kaplan–Meier samples of one end of the trials' estimates (censored trials leave at their afterMs). */
function timedBy(
  trials: readonly VisibilityTrial[],
  estimate: FullVisibilityEstimate,
  end: 'lowerMs' | 'pointMs' | 'upperMs',
): { timeMs: number; event: boolean }[] {
  return trials.map((trial, index) => {
    const point = estimate.points[index];
    return {
      timeMs: point?.[end] ?? trial.censored?.afterMs ?? 0,
      event: point !== null && point !== undefined,
    };
  });
}

/** The p99.9 (Kaplan–Meier, censored trials kept) of the trials' lower bounds and of their upper ends. */
function bracketP999(trials: readonly VisibilityTrial[], estimate: FullVisibilityEstimate): [number, number] {
  const bound = (end: 'lowerMs' | 'upperMs') =>
    kaplanMeierQuantile(timedBy(trials, estimate, end), 0.999) ?? Infinity;
  return [bound('lowerMs'), bound('upperMs')];
}

/** Whether a trial wrote its change (censored after the write still tells something; before it, nothing). */
const wrote = (trial: VisibilityTrial): boolean =>
  trial.censored === undefined || (trial.censored.reason !== 'unsettled-setup' && trial.probes.length > 0);

function summarise(
  operation: ConsistencyOperation,
  trials: readonly VisibilityTrial[],
  requests: number,
  options: ConsistencyBenchOptions,
): OperationVisibility {
  const measured = trials.filter(wrote);
  const failed = trials.filter((trial) => !wrote(trial));
  const estimate = estimateFullVisibility(measured, options.stopping);
  const samples = estimate.points.map((point) => point?.pointMs ?? null);
  const timed = timedBy(measured, estimate, 'pointMs');
  const lowerTimed = timedBy(measured, estimate, 'lowerMs');
  const quantiles = visibilityQuantiles(timed);
  const censored = Object.fromEntries(CENSOR_REASONS.map((reason) => [reason, 0])) as Record<
    TrialCensoring['reason'],
    number
  >;
  for (const trial of trials) if (trial.censored) censored[trial.censored.reason] += 1;
  const anomalies = Object.fromEntries(ANOMALY_KINDS.map((kind) => [kind, 0])) as Record<
    (typeof ANOMALY_KINDS)[number],
    number
  >;
  const examples: { trial: number; kind: (typeof ANOMALY_KINDS)[number]; detail: string }[] = [];
  trials.forEach((trial, index) => {
    for (const anomaly of trial.anomalies) {
      anomalies[anomaly.kind] += 1;
      if (anomalies[anomaly.kind] <= 5) examples.push({ trial: index + 1, ...anomaly });
    }
  });
  const probes = measured.flatMap((trial) => trial.probes);
  let mixedReads = 0;
  let mixedStale = 0;
  for (const trial of measured) {
    const sorted = [...trial.probes].sort((a, b) => a.sentMs - b.sentMs);
    const first = sorted.findIndex((probe) => probe.state === 'new');
    const last = sorted.findLastIndex((probe) => probe.state !== 'new');
    if (first === -1 || last <= first) continue;
    const mixed = sorted.slice(first, last + 1);
    mixedReads += mixed.length;
    mixedStale += mixed.filter((probe) => probe.state !== 'new').length;
  }
  return {
    operation,
    description: OPERATION_DESCRIPTIONS[operation],
    trials: trials.length,
    failedTrials: failed.length,
    ...(failed[0]?.censored === undefined ? {} : { failure: failed[0].censored.detail }),
    censored,
    consistentAtZero:
      measured.length === 0
        ? 0
        : measured.filter(
            (trial) => trial.visibleAtMs !== null && trial.probes.every((probe) => probe.state === 'new'),
          ).length / measured.length,
    quantiles,
    curve: visibilityCurve(timed, options.resolutionMs),
    fullVisibility: {
      laggardShare: estimate.laggard.share,
      laggardTrials: estimate.laggard.trials,
      lowerBound: {
        quantiles: visibilityQuantiles(lowerTimed),
        curve: visibilityCurve(lowerTimed, options.resolutionMs),
      },
    },
    tVisibility: tVisibilityCurve(measured, options.resolutionMs),
    ...(operation === 'versions'
      ? {
          kStaleness: Array.from(
            { length: Math.max(0, (options.versions ?? DEFAULT_VERSIONS) - 2) },
            (_, index) => ({
              k: index + 1,
              curve: kStalenessCurve(measured, options.resolutionMs, index + 1),
            }),
          ),
        }
      : {}),
    ...(options.stickyReaders
      ? {
          sessions: {
            sessions: measured.length * options.readers,
            monotonicReadsBroken: measured.reduce(
              (sum, trial) => sum + nonMonotonicReads(trial.probes).length,
              0,
            ),
            writerSessions: measured.length,
            readYourWritesBroken: measured.filter((trial) =>
              trial.anomalies.some((anomaly) => anomaly.kind === 'read-your-writes'),
            ).length,
          },
        }
      : {}),
    reads: probes.length,
    mixedStaleShare: mixedReads === 0 ? null : Math.round((mixedStale / mixedReads) * 1000) / 1000,
    settle: latencySummary(measured.map((trial) => trial.settledAfterMs)),
    histogram: visibilityHistogram(samples, options.resolutionMs, options.maxWaitMs),
    anomalies,
    examples,
    requests,
    writeLatency: latencySummary(measured.map((trial) => trial.writeLatencyMs)),
    probeLatency: latencySummary(probes.map((probe) => probe.latencyMs)),
    probeLateness: latencySummary(probes.map((probe) => probe.latenessMs)),
    verdict: unmeasured(
      windowVerdict(
        operation,
        quantiles.p999,
        bracketP999(measured, estimate),
        options.windowMs,
        measured.length,
      ),
      failed.length,
    ),
    samples,
    // From the commit, which lies within the write's round trip: after the last stale read's send
    // time (sure), by the estimate's upper end plus that round trip (within the stopping rule's miss bound).
    lagBoundsMs: estimate.points.map((point, index) =>
      point
        ? [point.lowerMs, Math.round((point.upperMs + (measured[index]?.writeLatencyMs ?? 0)) * 100) / 100]
        : null,
    ),
  };
}

/**
 * `bench consistency`: for each kind of change, `trials` trials (`parallel` at a time), each
 * measured from the write's acknowledgement on a fixed probe schedule (see runVisibilityTrial);
 * then statistics per kind, and cleanup of exactly the stores the benchmark created.
 */
export async function runConsistencyBench(
  contract: Contract,
  options: ConsistencyBenchOptions,
): Promise<ConsistencyBenchResult> {
  const startedAt = new Date();
  const started = performance.now();
  const count = { requests: 0 };
  const clientOptions = (connections: number) => ({
    baseUrl: options.targetUrl.replace(/\/+$/, ''),
    token: options.token,
    timeoutMs: options.timeoutMs,
    maxResponseBytes: 16 * 1024 * 1024,
    connections,
  });
  const client = new CountingHttpClient(clientOptions(options.parallel * (options.readers + 1)), count);
  // Sticky readers: per trial in flight, one client per reader on one keep-alive connection (a
  // session); a trial's reader i probes through the i-th client of its worker.
  const sessions: CountingHttpClient[][] = [];
  const created = (store: { readonly id: string; readonly name: string | null }): void =>
    recordCreatedStore(options.journalFile, store);
  const runId = randomBytes(2).toString('hex');
  const operations: OperationVisibility[] = [];
  const projected = { requests: 0, durationMs: 0 };
  let left: { id: string; reason: string }[];
  try {
    let storeId = '';
    if (options.operations.some((operation) => operation !== 'store-create' && operation !== 'rename')) {
      const name = `${options.prefix}records`;
      const exchange = await client.send({
        method: 'POST',
        path: `/v2/key-value-stores?name=${encodeURIComponent(name)}`,
      });
      const status = exchange.response?.status;
      const id =
        status === 200 || status === 201
          ? (JSON.parse(exchange.response?.body.toString() ?? '{}') as { data?: { id?: unknown } }).data?.id
          : undefined;
      if (typeof id !== 'string') {
        throw new HarnessError(
          'KVSC_TARGET_UNREACHABLE',
          `bench consistency: creating a store on ${options.targetLabel} answered ${status ?? exchange.error ?? 'nothing'}`,
        );
      }
      created({ id, name });
      storeId = id;
    }
    for (const operation of options.operations) {
      const before = client.requests;
      const operationStarted = performance.now();
      // The first trials of each kind of change (a tenth, at least one round) project its cost.
      const pilot = Math.min(options.trials, Math.max(options.parallel, Math.ceil(options.trials / 10)));
      const trials: VisibilityTrial[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        const own = options.stickyReaders
          ? Array.from({ length: options.readers }, () => new CountingHttpClient(clientOptions(1), count))
          : undefined;
        if (own) sessions.push(own);
        for (let index = next++; index < options.trials && !options.signal?.aborted; index = next++) {
          const name =
            operation === 'store-create' || operation === 'rename'
              ? `${options.prefix}${operation === 'rename' ? 'rn' : 'sc'}-${runId}-${index + 1}`
              : `${operation}-${runId}-${index + 1}`;
          const plan = consistencyTrialPlan(operation, {
            client,
            ...(own ? { sessions: own } : {}),
            versions: options.versions ?? DEFAULT_VERSIONS,
            storeId,
            name,
            created,
          });
          const trial = await runVisibilityTrial(plan, {
            readers: options.readers,
            resolutionMs: options.resolutionMs,
            maxWaitMs: options.maxWaitMs,
            settleMs: options.settleMs,
            stopping: options.stopping,
            removes: operation === 'delete' || operation === 'list-remove',
            settles: settlesSetup(operation),
            interrupted: () => options.signal?.aborted === true,
            ...(options.stickyReaders ? { writerReader: 0 } : {}),
          });
          trials[index] = trial;
          options.onTrial?.({ operation, name, trial });
          if (index + 1 === pilot) {
            const perTrial = (client.requests - before) / pilot;
            const perTrialMs = (performance.now() - operationStarted) / pilot;
            projected.requests += perTrial * options.trials;
            projected.durationMs += perTrialMs * options.trials;
          }
          options.onProgress?.({
            operation,
            trialsDone: trials.filter(Boolean).length,
            trials: options.trials,
            requests: client.requests,
            elapsedMs: performance.now() - started,
          });
        }
      };
      await Promise.all(Array.from({ length: Math.min(options.parallel, options.trials) }, worker));
      operations.push(summarise(operation, trials, client.requests - before, options));
    }
  } finally {
    const api = new HttpApi(contract, client);
    // The benchmark journals no create request before sending it: the store list is always read.
    left = [
      ...(await deleteRunStores(api, options.journalFile, options.prefix, { mayHaveUnjournaled: true })).left,
    ];
    await Promise.all([client, ...sessions.flat()].map((each) => each.close()));
  }
  const lateness = Math.max(0, ...operations.map((operation) => operation.probeLateness.p99Ms));
  const latency = Math.max(0, ...operations.map((operation) => operation.probeLatency.p99Ms));
  const estimate = estimateBenchCost(options);
  const anomalyLines = operations.flatMap((operation) =>
    ANOMALY_KINDS.filter((kind) => operation.anomalies[kind] > 0).map(
      (kind) =>
        `${operation.operation}: ${operation.anomalies[kind]} ${kind} anomal${operation.anomalies[kind] === 1 ? 'y' : 'ies'}`,
    ),
  );
  const censorLines = operations.flatMap((operation) =>
    CENSOR_REASONS.filter((reason) => operation.censored[reason] > 0).map(
      (reason) => `${operation.operation}: ${operation.censored[reason]} trial(s) without a time (${reason})`,
    ),
  );
  return {
    format: 'kvs-conformance-consistency/2',
    harnessVersion: HARNESS_VERSION,
    startedAt: startedAt.toISOString(),
    target: options.targetLabel,
    settings: {
      trials: options.trials,
      readers: options.readers,
      resolutionMs: options.resolutionMs,
      maxWaitMs: options.maxWaitMs,
      windowMs: options.windowMs,
      parallel: options.parallel,
      settleMs: options.settleMs,
      versions: options.versions ?? DEFAULT_VERSIONS,
      stickyReaders: options.stickyReaders === true,
      stopping: { ...options.stopping, confirmations: confirmationsNeeded(options.stopping) },
      operations: options.operations,
      bootstrap: { resamples: BOOTSTRAP.resamples, seed: BOOTSTRAP.seed },
    },
    cost: {
      estimatedRequests: estimate.requests,
      projected: {
        requests: Math.round(projected.requests),
        durationMs: Math.round(projected.durationMs),
      },
      requests: client.requests,
      durationMs: Math.round(performance.now() - started),
    },
    resolution: {
      stepMs: options.resolutionMs,
      probeLateness: {
        p50Ms: Math.max(0, ...operations.map((operation) => operation.probeLateness.p50Ms)),
        p99Ms: lateness,
      },
      requestLatency: {
        p50Ms: Math.max(0, ...operations.map((operation) => operation.probeLatency.p50Ms)),
        p99Ms: latency,
      },
      honestMs: Math.round((options.resolutionMs + lateness + latency) * 100) / 100,
    },
    operations,
    verdict: {
      // An interrupted run did not measure everything it was asked to: never "within".
      within: !options.signal?.aborted && operations.every((operation) => operation.verdict.within),
      outcome: benchOutcome(
        options.signal?.aborted === true,
        operations.map((operation) => operation.verdict),
      ),
      lines: [
        ...(options.signal?.aborted ? ['interrupted: not every trial was made'] : []),
        ...operations.map((operation) => operation.verdict.text),
        ...censorLines,
        ...anomalyLines,
      ],
    },
    leftStores: left,
  };
}
