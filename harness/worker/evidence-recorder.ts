import type { HeldObservation } from '../consistency/observe-for.ts';
import type { Observation } from '../consistency/observe-until.ts';
import {
  renderDriverExchanges,
  recordDriverRequest,
  type DriverExchange,
} from '../drivers/driver-exchanges.ts';
import type { DriverAnswer, DriverRequest } from '../drivers/kvs-driver.ts';
import { exchangeEvidence, FAILURE_EVIDENCE_KEY, RAISED_AT_KEY, type FailureEvidence } from '../failures.ts';
import { PROPERTY_FAILURE_KEY } from './report-property-failure.ts';
import type { ObservationEvidence, PropertyFailure, TestEvidence, WatchEvidence } from './test-evidence.ts';

/** A serialized test error as vitest hands it to a test's hooks (its cause chain included). */
type SerializedError = Record<string, unknown> & { cause?: unknown };

const isRecord = (value: unknown): value is SerializedError => typeof value === 'object' && value !== null;

/** One call of a client driver's method, with the requests it made (the last MAX_CALL_EXCHANGES). */
interface DriverCall {
  readonly startedAt: number;
  readonly exchanges: DriverExchange[];
}

/** The driver calls a test keeps (the last ones): a property's shrinking goes on after its failing case. */
const MAX_DRIVER_CALLS = 32;
/** The requests a driver call keeps (its last ones: a key iteration may page far). */
const MAX_CALL_EXCHANGES = 8;

/**
 * Collects what one test leaves for the report — operation × status coverage, consistency
 * observations and watches, the requests it sent — and, when the test ends, takes its contract failure off the test's
 * final error. One recorder per test (the suite fixture makes them): nothing is kept at module level.
 */
export class EvidenceRecorder {
  readonly #coverage = new Set<string>();
  readonly #observations: ObservationEvidence[] = [];
  readonly #watches: WatchEvidence[] = [];
  readonly #violations = new Map<string, FailureEvidence>();
  #notApplicable: string | undefined;
  #requests = 0;
  readonly #driverCalls: DriverCall[] = [];
  readonly #token: string | undefined;

  /** `token`: the run's token, replaced in the driver exchanges it shows. */
  constructor(token?: string) {
    this.#token = token;
  }

  /** Notes that a client driver's method was called: the requests until the next call are its. */
  noteDriverCall(): void {
    if (this.#driverCalls.length >= MAX_DRIVER_CALLS) this.#driverCalls.shift();
    this.#driverCalls.push({ startedAt: performance.now(), exchanges: [] });
  }

  /**
   * Notes a request a client driver told of (DriverFactoryContext.onRequest); the function it
   * returns takes the answer. The exchange belongs to the driver call going on when it was sent.
   */
  noteDriverRequest(request: DriverRequest): (answer: DriverAnswer) => void {
    if (this.#driverCalls.length === 0) this.noteDriverCall();
    const call = this.#driverCalls.at(-1) as DriverCall;
    return recordDriverRequest(request, (exchange) => {
      if (call.exchanges.length >= MAX_CALL_EXCHANGES) call.exchanges.shift();
      call.exchanges.push(exchange);
    });
  }

  /**
   * A failure with no exchange of its own, found through a client driver, with the requests of the
   * driver call going on at `time` (performance.now()) that were sent before it.
   */
  #withDriverExchanges(failure: FailureEvidence, time: number): FailureEvidence {
    if (failure.exchanges.length > 0) return failure;
    const call = this.#driverCalls.findLast((each) => each.startedAt <= time);
    const sent = call?.exchanges.filter((exchange) => exchange.startedAt <= time) ?? [];
    return sent.length === 0
      ? failure
      : { ...failure, exchanges: renderDriverExchanges(sent, this.#token).map(exchangeEvidence) };
  }

  /** Notes one request the test sent (counted at the HTTP client, answered or not). */
  noteRequest(): void {
    this.#requests += 1;
  }

  /** Notes an answered exchange for the spec coverage. */
  noteCoverage(operationId: string, status: number): void {
    this.#coverage.add(`${operationId} ${status}`);
  }

  /** Notes a consistency observation. */
  noteObservation(observation: Observation<unknown>): void {
    this.#observations.push({
      outcome: observation.outcome,
      staleReads: observation.staleReads,
      staleForMs: observation.staleForMs,
    });
  }

  /** Notes a watch for a revert (KVS-CONS-003/006, KVS-LIMIT-003). */
  noteWatch(watch: HeldObservation<unknown>): void {
    this.#watches.push({ outcome: watch.outcome, reads: watch.reads, afterMs: watch.afterMs });
  }

  /**
   * Notes a generic violation on an answer the test could still use: it fails its own rule, and
   * the test goes on (no cascade). The first one per rule is kept.
   */
  /** Notes that the test asked for what the run's target cannot give (the first reason is kept). */
  noteNotApplicable(reason: string): void {
    this.#notApplicable ??= reason;
  }

  noteViolation(violation: FailureEvidence): void {
    if (!this.#violations.has(violation.ruleId))
      this.#violations.set(violation.ruleId, this.#withDriverExchanges(violation, performance.now()));
  }

  /** Forgets what was noted. */
  #reset(): void {
    this.#violations.clear();
    this.#notApplicable = undefined;
    this.#coverage.clear();
    this.#observations.length = 0;
    this.#watches.length = 0;
    this.#requests = 0;
    this.#driverCalls.length = 0;
  }

  /**
   * Ends a test: returns its evidence and resets. The failure is the FailureEvidence a
   * ContractViolationError serialized into the test's final error (fast-check keeps the
   * property's own error as the cause); it is taken off the error, so that the test runner's
   * console output does not print the exchanges a second time.
   */
  take(errors: readonly unknown[]): TestEvidence {
    let failure: FailureEvidence | undefined;
    let property: PropertyFailure | undefined;
    for (const error of errors) {
      for (let link: unknown = error; isRecord(link); link = link.cause) {
        const found = link[FAILURE_EVIDENCE_KEY];
        const raisedAt = link[RAISED_AT_KEY];
        if (found !== undefined) {
          // Found through a client driver, a failure shows what the driver's call sent: the call
          // going on when it was raised (a property's shrinking may have made calls since).
          failure ??=
            typeof raisedAt === 'number'
              ? this.#withDriverExchanges(found as FailureEvidence, raisedAt)
              : (found as FailureEvidence);
          delete link[FAILURE_EVIDENCE_KEY];
          delete link[RAISED_AT_KEY];
        }
        property ??= link[PROPERTY_FAILURE_KEY] as PropertyFailure | undefined;
        delete link[PROPERTY_FAILURE_KEY];
      }
    }
    const evidence: TestEvidence = {
      coverage: [...this.#coverage],
      observations: [...this.#observations],
      watches: [...this.#watches],
      ...(property ? { property } : {}),
      requests: this.#requests,
      ...(failure ? { failure } : {}),
      ...(this.#violations.size > 0 ? { violations: [...this.#violations.values()] } : {}),
      ...(this.#notApplicable === undefined ? {} : { notApplicable: this.#notApplicable }),
    };
    this.#reset();
    return evidence;
  }
}
