import { renderCurl } from '../http/exchange.ts';
import type { Failure } from '../failures.ts';
import type { Observation } from '../consistency/observe-until.ts';

/** A failure as the report keeps it: the exchanges rendered (already redacted), no bodies beyond excerpts. */
export interface FailureEvidence {
  readonly ruleId: string;
  readonly operationId: string | undefined;
  readonly message: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly exchanges: readonly {
    readonly curl: string;
    readonly method: string;
    readonly url: string;
    readonly status: number | undefined;
    readonly error: string | undefined;
    readonly responseHeaders: Readonly<Record<string, string>>;
    readonly responseExcerpt: string;
    readonly durationMs: number;
  }[];
}

/** One consistency observation as the report keeps it. */
export interface ObservationEvidence {
  readonly outcome: Observation<unknown>['outcome'];
  readonly staleReads: number;
  readonly staleForMs: number;
}

/** What one test leaves for the report, carried to the main process in vitest's task meta. */
export interface TestEvidence {
  /** `operationId status` pairs the test's exchanges answered. */
  readonly coverage: readonly string[];
  readonly observations: readonly ObservationEvidence[];
  /** The contract failure behind the test's final error, when it is one. */
  readonly failure?: FailureEvidence;
}

const RECENT_FAILURES = 256;
const coverage = new Set<string>();
const observations: ObservationEvidence[] = [];
const recentFailures = new Map<string, Failure>();

/** Notes an answered exchange for the spec coverage. */
export function noteCoverage(operationId: string, status: number): void {
  coverage.add(`${operationId} ${status}`);
}

/** Notes a consistency observation. */
export function noteObservation(observation: Observation<unknown>): void {
  observations.push({
    outcome: observation.outcome,
    staleReads: observation.staleReads,
    staleForMs: observation.staleForMs,
  });
}

/** Keeps recent failures by message, so the one behind a test's final (shrunk) error can be found. */
export function noteFailure(message: string, failure: Failure): void {
  recentFailures.delete(message);
  recentFailures.set(message, failure);
  if (recentFailures.size > RECENT_FAILURES) recentFailures.delete(recentFailures.keys().next().value ?? '');
}

function toEvidence(failure: Failure): FailureEvidence {
  return {
    ruleId: failure.ruleId,
    operationId: failure.operationId,
    message: failure.message,
    evidence: failure.evidence,
    exchanges: failure.exchanges.map((exchange) => ({
      curl: renderCurl(exchange),
      method: exchange.request.method,
      url: exchange.request.url,
      status: exchange.response?.status,
      error: exchange.error,
      responseHeaders: exchange.response?.headers ?? {},
      responseExcerpt: exchange.response?.bodyExcerpt ?? '',
      durationMs: exchange.durationMs,
    })),
  };
}

/** Takes what was noted since the last call; `errorMessages` are the test's final errors (and causes). */
export function drainEvidence(errorMessages: readonly string[]): TestEvidence {
  const failure = errorMessages
    .map((message) => recentFailures.get(message))
    .find((found) => found !== undefined);
  const evidence: TestEvidence = {
    coverage: [...coverage],
    observations: [...observations],
    ...(failure ? { failure: toEvidence(failure) } : {}),
  };
  coverage.clear();
  observations.length = 0;
  return evidence;
}
